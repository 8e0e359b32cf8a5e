/**
 * The S3 facade: path-style `PUT`/`GET`/`HEAD /<bucket>/<key>` with the parts of S3's wire the
 * module uses: `x-amz-checksum-sha256` checked on upload (400 BadDigest, S3 API reference,
 * "PutObject"), `x-amz-meta-*` kept and returned, `404 NoSuchKey` (GET) / bare 404 (HEAD). The
 * runner-cache function writes through it in tests; user data reads through the aws shim.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { LoopbackServer, type BinaryResponse } from './listen.js';

export interface S3Object {
  readonly body: Uint8Array;
  readonly contentType: string;
  readonly metadata: Readonly<Record<string, string>>;
}

const xmlError = (status: number, code: string, message: string): BinaryResponse => ({
  status,
  headers: { 'content-type': 'application/xml' },
  body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
});

export class S3Facade {
  /** `<bucket>/<key>` → object. */
  readonly objects = new Map<string, S3Object>();
  readonly calls: { method: string; key: string; status: number }[] = [];
  private readonly server = new LoopbackServer((request, body) => this.answer(request, body));

  start(): Promise<string> {
    return this.server.start();
  }

  close(): Promise<void> {
    return this.server.close();
  }

  /** Puts an object directly (what Terraform's aws_s3_object would have uploaded). */
  seed(bucket: string, key: string, body: Uint8Array | string, metadata: Record<string, string> = {}): void {
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    this.objects.set(`${bucket}/${key}`, { body: bytes, contentType: 'application/octet-stream', metadata });
  }

  private answer(request: IncomingMessage, body: Buffer): BinaryResponse {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://s3').pathname.slice(1));
    const answer = this.route(request, path, body);
    this.calls.push({ method: request.method ?? '', key: path, status: answer.status });
    return answer;
  }

  private route(request: IncomingMessage, path: string, body: Buffer): BinaryResponse {
    if (request.headers.authorization === undefined) return xmlError(403, 'AccessDenied', 'unsigned request');
    if (!/^[^/]+\/.+/.test(path)) return xmlError(400, 'InvalidRequest', 'expected /<bucket>/<key>');
    if (request.method === 'PUT') {
      const checksum = request.headers['x-amz-checksum-sha256'];
      if (typeof checksum === 'string' && createHash('sha256').update(body).digest('base64') !== checksum) {
        return xmlError(400, 'BadDigest', 'The SHA256 you specified did not match the calculated checksum.');
      }
      const metadata: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        if (name.startsWith('x-amz-meta-') && typeof value === 'string') metadata[name.slice(11)] = value;
      }
      const contentType = request.headers['content-type'] ?? 'application/octet-stream';
      this.objects.set(path, { body: new Uint8Array(body), contentType, metadata });
      return { status: 200, headers: { etag: `"${createHash('md5').update(body).digest('hex')}"` } };
    }
    if (request.method === 'GET' || request.method === 'HEAD') {
      const object = this.objects.get(path);
      if (object === undefined)
        return request.method === 'HEAD'
          ? { status: 404 }
          : xmlError(404, 'NoSuchKey', 'The specified key does not exist.');
      const headers: Record<string, string> = {
        'content-type': object.contentType,
        'content-length': String(object.body.byteLength),
      };
      for (const [name, value] of Object.entries(object.metadata)) headers[`x-amz-meta-${name}`] = value;
      return { status: 200, headers, body: object.body };
    }
    return xmlError(405, 'MethodNotAllowed', `${request.method ?? ''} is not supported by the facade`);
  }
}
