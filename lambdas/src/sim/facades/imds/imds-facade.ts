/**
 * An instance metadata service (IMDSv2 only) for one instance, over `node:http` on 127.0.0.1.
 * The runner agent reads its identity and its own tags here (architecture.md §3, "Settle and
 * acknowledge": no API calls). Tags come from an injected function, so the in-memory EC2 or the
 * simulator's instance view (with its lag) can back it.
 *
 * Behaviour follows the EC2 user guide ("Use the Instance Metadata Service to access instance
 * metadata", "View tags using instance metadata"):
 * - `PUT /latest/api/token` with `X-aws-ec2-metadata-token-ttl-seconds` (1–21600) returns a token;
 *   a missing or out-of-range TTL is 400; a PUT carrying `X-Forwarded-For` is refused (403).
 * - Every GET needs a valid, unexpired `X-aws-ec2-metadata-token`, else 401 (IMDSv1 is off).
 * - `/latest/meta-data/tags/instance` lists the tag keys, one per line; `/tags/instance/<key>` is
 *   the value; an unknown key is 404.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export type TagSource = () => Readonly<Record<string, string>> | Promise<Readonly<Record<string, string>>>;

export interface ImdsFacadeOptions {
  readonly instanceId: string;
  readonly region: string;
  /** Defaults to `<region>a`. */
  readonly availabilityZone?: string;
  readonly instanceType?: string;
  /** The instance's tags as the metadata service shows them (may lag the EC2 API). */
  readonly tags: TagSource;
  /** Milliseconds since the epoch; token expiry is checked against it. */
  readonly now?: () => number;
}

const MAX_TTL_SECONDS = 21_600;
const TOKEN_HEADER = 'x-aws-ec2-metadata-token';
const TTL_HEADER = 'x-aws-ec2-metadata-token-ttl-seconds';
const TAGS_PREFIX = '/latest/meta-data/tags/instance';

export class ImdsFacade {
  private server: Server | undefined;
  private baseUrl: string | undefined;
  /** token → expiry (ms). */
  private readonly tokens = new Map<string, number>();
  private readonly counts = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly options: ImdsFacadeOptions) {
    this.now = options.now ?? Date.now;
  }

  get url(): string {
    if (this.baseUrl === undefined) throw new Error('IMDS facade not started');
    return this.baseUrl;
  }

  /** Requests answered so far, by `METHOD path` (for tests and the simulator's accounting). */
  calls(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        void this.answer(req).then(
          ({ status, body, headers }) => send(res, status, body, headers),
          () => send(res, 500, 'Internal Server Error'),
        );
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('IMDS facade has no TCP address');
    this.baseUrl = `http://127.0.0.1:${address.port}`;
    return this.baseUrl;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  private async answer(req: IncomingMessage): Promise<Answer> {
    const path = new URL(req.url ?? '/', 'http://imds').pathname;
    const key = `${req.method ?? 'GET'} ${path}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    if (path === '/latest/api/token') {
      if (req.method !== 'PUT') return { status: 405, body: 'Method Not Allowed' };
      return this.issueToken(req);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return { status: 405, body: 'Method Not Allowed' };
    if (!this.validToken(header(req, TOKEN_HEADER))) return { status: 401, body: 'Unauthorized' };
    return this.metadata(path.replace(/\/+$/, ''));
  }

  private issueToken(req: IncomingMessage): Answer {
    if (req.headers['x-forwarded-for'] !== undefined) return { status: 403, body: 'Forbidden' };
    const ttlText = header(req, TTL_HEADER);
    const ttl = ttlText !== undefined && /^\d{1,6}$/.test(ttlText) ? Number(ttlText) : NaN;
    if (!(ttl >= 1 && ttl <= MAX_TTL_SECONDS)) return { status: 400, body: 'Bad Request' };
    const token = randomBytes(32).toString('base64url');
    this.tokens.set(token, this.now() + ttl * 1000);
    return { status: 200, body: token, headers: { [TTL_HEADER]: String(ttl) } };
  }

  private validToken(token: string | undefined): boolean {
    if (token === undefined) return false;
    const expiry = this.tokens.get(token);
    if (expiry === undefined) return false;
    if (this.now() >= expiry) {
      this.tokens.delete(token);
      return false;
    }
    return true;
  }

  private async metadata(path: string): Promise<Answer> {
    const { instanceId, region, instanceType } = this.options;
    const zone = this.options.availabilityZone ?? `${region}a`;
    switch (path) {
      case '/latest/meta-data/instance-id':
        return found(instanceId);
      case '/latest/meta-data/placement/region':
        return found(region);
      case '/latest/meta-data/placement/availability-zone':
        return found(zone);
      case '/latest/meta-data/instance-type':
        return found(instanceType ?? 'm7i.large');
      case '/latest/dynamic/instance-identity/document':
        return found(
          JSON.stringify({ instanceId, region, availabilityZone: zone, instanceType: instanceType ?? 'm7i.large' }),
        );
      case TAGS_PREFIX: {
        const keys = Object.keys(await this.options.tags()).sort();
        return found(keys.join('\n'));
      }
    }
    if (path.startsWith(`${TAGS_PREFIX}/`)) {
      let tagKey: string;
      try {
        tagKey = decodeURIComponent(path.slice(TAGS_PREFIX.length + 1));
      } catch {
        return notFound();
      }
      const tags = await this.options.tags();
      return Object.hasOwn(tags, tagKey) ? found(tags[tagKey] ?? '') : notFound();
    }
    return notFound();
  }
}

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

const found = (body: string): Answer => ({ status: 200, body });
const notFound = (): Answer => ({ status: 404, body: 'Not Found' });

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function send(res: ServerResponse, status: number, body: string, headers: Readonly<Record<string, string>> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}
