/** A loopback HTTP server on an ephemeral port, for the artifact facades (binary bodies). */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type BinaryHandler = (request: IncomingMessage, body: Buffer) => Promise<BinaryResponse> | BinaryResponse;

export interface BinaryResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array | string;
}

export class LoopbackServer {
  private server: Server | undefined;
  url = '';

  constructor(private readonly handler: BinaryHandler) {}

  async start(): Promise<string> {
    const server = createServer((request: IncomingMessage, response: ServerResponse) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        void Promise.resolve()
          .then(() => this.handler(request, Buffer.concat(chunks)))
          .catch((error: unknown): BinaryResponse => ({ status: 500, body: String(error) }))
          .then((answer) => {
            response.writeHead(answer.status, answer.headers);
            response.end(request.method === 'HEAD' ? undefined : answer.body);
          });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
