/**
 * The shared part of the AWS HTTP facades: a `node:http` server on 127.0.0.1 (port 0) that reads a
 * request, asks the protocol-specific handler for a response, and counts calls by action for the
 * simulator's accounting.
 *
 * SigV4 signatures are NOT verified: a facade only checks that an `authorization` header is present,
 * which is enough to catch a client that was built without credentials.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answeringRequest } from '../caller.js';
import {
  AlreadyExistsError,
  CapacityError,
  ConflictError,
  NotFoundError,
  PermanentError,
  RateLimitedError,
  TransientError,
} from '../../../errors.js';

export interface FacadeRequest {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface FacadeResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface FacadeCall {
  readonly action: string;
  readonly status: number;
}

/** A wire error a backend (or a fault-injecting simulator) throws to answer with an exact AWS code. */
export class AwsWireError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'AwsWireError';
  }
}

/** Default wire codes per port error class; each facade supplies its service's codes. */
export interface WireCodes {
  readonly notFound: readonly [string, number];
  readonly alreadyExists: readonly [string, number];
  readonly rateLimited: readonly [string, number];
  readonly capacity: readonly [string, number];
  readonly transient: readonly [string, number];
  readonly invalid: readonly [string, number];
}

export function toWireError(error: unknown, codes: WireCodes): AwsWireError {
  if (error instanceof AwsWireError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const pick = (entry: readonly [string, number]) => new AwsWireError(entry[0], entry[1], message);
  if (error instanceof NotFoundError) return pick(codes.notFound);
  if (error instanceof AlreadyExistsError) return pick(codes.alreadyExists);
  if (error instanceof RateLimitedError) return pick(codes.rateLimited);
  if (error instanceof CapacityError) return pick(codes.capacity);
  if (error instanceof PermanentError || error instanceof ConflictError) return pick(codes.invalid);
  if (error instanceof TransientError) return pick(codes.transient);
  return pick(codes.transient);
}

export interface FacadeOptions {
  /** Called after each answered request: the simulator's per-action accounting. */
  readonly onCall?: (call: FacadeCall) => void;
}

export abstract class AwsHttpFacade {
  private server: Server | undefined;
  private readonly counts = new Map<string, number>();
  private baseUrl: string | undefined;

  constructor(private readonly options: FacadeOptions = {}) {}

  /** The action name of a request, for accounting (`Unknown` when absent). */
  protected abstract actionOf(request: FacadeRequest): string;
  protected abstract handle(action: string, request: FacadeRequest): Promise<FacadeResponse>;
  protected abstract errorResponse(error: AwsWireError): FacadeResponse;

  /** Calls answered so far, by action. */
  calls(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  resetCalls(): void {
    this.counts.clear();
  }

  get url(): string {
    if (this.baseUrl === undefined) throw new Error('facade not started');
    return this.baseUrl;
  }

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const request = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
        const write = (response: FacadeResponse) => {
          res.writeHead(response.status, { ...response.headers, 'x-amzn-requestid': 'facade' });
          res.end(response.body);
        };
        // Only an `onCall` hook can throw here; answer 500 rather than leave the SDK waiting.
        void answeringRequest(req.headers, () => this.answer(request)).then(write, (error: unknown) =>
          write({ status: 500, headers: { 'content-type': 'text/plain' }, body: `facade failure: ${String(error)}` }),
        );
      });
    });
    this.server = server;
    // A client reuses kept-alive sockets; Node closes an idle one after 5 s of real time, and a
    // request sent on it in that instant fails (ECONNRESET). On a busy machine the gaps between a
    // run's calls grow past 5 s: never close idle sockets (clients close them), so no call depends
    // on the machine's speed.
    server.keepAliveTimeout = 0;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('facade has no TCP address');
    this.baseUrl = `http://127.0.0.1:${(address satisfies AddressInfo).port}`;
    return this.baseUrl;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // The SDK keeps connections alive; close() alone would wait for them to idle out.
    server.closeAllConnections();
    await closed;
  }

  private async answer(request: FacadeRequest): Promise<FacadeResponse> {
    const action = this.actionOf(request);
    let response: FacadeResponse;
    if (request.headers.authorization === undefined) {
      response = this.errorResponse(
        new AwsWireError('MissingAuthenticationToken', 403, 'Request is missing an authorization header'),
      );
    } else {
      try {
        response = await this.handle(action, request);
      } catch (error) {
        response = this.errorResponse(this.toWire(error));
      }
    }
    this.counts.set(action, (this.counts.get(action) ?? 0) + 1);
    this.options.onCall?.({ action, status: response.status });
    return response;
  }

  protected abstract toWire(error: unknown): AwsWireError;
}
