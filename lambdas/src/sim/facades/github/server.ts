import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answeringRequest } from '../caller.js';
import { systemClock, type Clock } from '../../../ports/clock.js';
import type { GitHubPort } from '../../../ports/github.js';
import { FacadeAuth, type AuthKind } from './auth.js';
import type { GitHubAppDirectory } from './directory.js';
import { answerFor } from './errors.js';
import { match, notFound, ownerOf, type Answer, type Route } from './router.js';
import { appRoutes } from './routes-app.js';
import { groupRoutes } from './routes-groups.js';
import { runnerRoutesAll } from './routes-runners.js';
import { RateHeaders, refusalMessage, type RateBudgetView } from './rate-headers.js';
import { SecondaryLimitCounter, GITHUB_SECONDARY, type SecondaryLimits } from './secondary-limits.js';
import { LabelIds } from './wire.js';

export interface GitHubFacadeOptions {
  readonly backend: GitHubPort;
  readonly directory: GitHubAppDirectory;
  /** Installation token expiry. Default: the wall clock. */
  readonly clock?: Clock;
  /** JWT `iat`/`exp` checks; defaults to `clock`. The adapter signs with its own injected clock. */
  readonly jwtClock?: Clock;
  /** The budgets `x-ratelimit-*` report; default: the facade counts its own requests per key and hour. */
  readonly rateBudgets?: RateBudgetView;
  /** GitHub's secondary limits (default); `false`: none (a test of something else). */
  readonly secondaryLimits?: SecondaryLimits | false;
}

export interface RecordedRequest {
  readonly method: string;
  /** Path without the `/api/v3` prefix and without the query. */
  readonly path: string;
  readonly query: string;
  /** `METHOD /route/{pattern}` as Octokit names it, or `unmatched`. */
  readonly endpoint: string;
  readonly ghes: boolean;
  readonly auth: AuthKind;
  readonly status: number;
}

const GHES_PREFIX = '/api/v3';
const MAX_BODY_BYTES = 1_048_576;
const ROUTES: readonly Route[] = [...appRoutes, ...runnerRoutesAll, ...groupRoutes];

/**
 * GitHub's REST API over `node:http` on 127.0.0.1, served at the root (github.com) and under
 * `/api/v3` (GHES). It decodes requests, checks App JWTs and installation tokens, calls the
 * backend (any GitHubPort) and encodes its answers and errors as GitHub does.
 */
export class GitHubFacade {
  readonly requests: RecordedRequest[] = [];
  readonly auth: FacadeAuth;
  private readonly labelIds = new LabelIds();
  private readonly clock: Clock;
  private readonly rateHeaders: RateHeaders;
  /** Undefined when the facade enforces no secondary limits. */
  readonly secondary: SecondaryLimitCounter | undefined;
  private server: Server | undefined;

  constructor(private readonly options: GitHubFacadeOptions) {
    this.clock = options.clock ?? systemClock;
    this.auth = new FacadeAuth(options.directory, this.clock, options.jwtClock ?? this.clock);
    this.rateHeaders = new RateHeaders(this.clock, options.rateBudgets);
    const limits = options.secondaryLimits ?? GITHUB_SECONDARY;
    this.secondary = limits === false ? undefined : new SecondaryLimitCounter(this.clock, limits);
  }

  async start(): Promise<{ baseUrl: string; ghesBaseUrl: string }> {
    const server = createServer((req, res) => {
      answeringRequest(req.headers, () => this.handle(req, res)).catch(() => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'Server Error' }));
      });
    });
    // A client reuses kept-alive sockets; Node closes an idle one after 5 s of real time, and a
    // request sent on it in that instant fails (ECONNRESET). On a busy machine the gaps between a
    // run's calls grow past 5 s: never close idle sockets (clients close them), so no call depends
    // on the machine's speed.
    server.keepAliveTimeout = 0;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('facade has no TCP address');
    const baseUrl = `http://127.0.0.1:${(address satisfies AddressInfo).port}`;
    return { baseUrl, ghesBaseUrl: `${baseUrl}${GHES_PREFIX}` };
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Clients keep connections alive; close() alone would wait for them.
    server.closeAllConnections();
    await closed;
  }

  /** Requests received per endpoint (`METHOD /pattern`), for API-budget accounting. */
  calls(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const r of this.requests) counts[r.endpoint] = (counts[r.endpoint] ?? 0) + 1;
    return counts;
  }

  resetRecords(): void {
    this.requests.length = 0;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const origin = `http://${req.headers.host ?? '127.0.0.1'}`;
    const url = new URL(req.url ?? '/', origin);
    const ghes = url.pathname === GHES_PREFIX || url.pathname.startsWith(`${GHES_PREFIX}/`);
    const path = ghes ? url.pathname.slice(GHES_PREFIX.length) || '/' : url.pathname;
    const method = req.method ?? 'GET';
    const credential = this.auth.identify(req.headers.authorization);
    const found = match(ROUTES, method, path);
    let answer: Answer;
    const endpoint = found ? `${found.route.method} ${found.route.pattern}` : 'unmatched';
    const caller =
      credential.kind === 'installation'
        ? `installation:${credential.installationId}`
        : RateHeaders.keyOf(found?.params, credential);
    const verdict = this.secondary?.admit(caller, method, endpoint) ?? {};
    try {
      const body = await readJson(req);
      answer =
        verdict.retryAfterSeconds !== undefined
          ? secondaryLimitAnswer(verdict.retryAfterSeconds)
          : found
            ? await this.dispatch(found.route, found.params, { url, origin, ghes, body, credential })
            : notFound;
    } catch (error) {
      answer =
        error instanceof SyntaxError
          ? { status: 400, body: { message: 'Problems parsing JSON' } }
          : answerFor(error, this.clock.now());
    } finally {
      if (verdict.retryAfterSeconds === undefined) this.secondary?.done(caller);
    }
    this.requests.push({
      method,
      path,
      query: url.search,
      endpoint,
      ghes,
      auth: credential.kind,
      status: answer.status,
    });
    // GitHub sends the caller's budget on every response; an answer's own (a rate limit) wins.
    const headers: Record<string, string> = {
      ...this.rateHeaders.count(RateHeaders.keyOf(found?.params, credential)),
      ...answer.headers,
    };
    if (answer.body !== undefined) headers['content-type'] = 'application/json; charset=utf-8';
    res.writeHead(answer.status, headers);
    res.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
  }

  private async dispatch(
    route: Route,
    params: Record<string, string>,
    request: { url: URL; origin: string; ghes: boolean; body: unknown; credential: ReturnType<FacadeAuth['identify']> },
  ): Promise<Answer> {
    const { credential } = request;
    // The body says why (a JWT issued in the future, an expired token, …), as GitHub's does.
    const unauthorized: Answer = {
      status: 401,
      body: { message: refusalMessage(credential), documentation_url: 'https://docs.github.com/rest', status: '401' },
    };
    if (route.auth === 'app' && credential.kind !== 'jwt') return unauthorized;
    if (route.auth === 'installation') {
      if (credential.kind !== 'installation') return unauthorized;
      const owner = ownerOf(params);
      if (!owner || !this.options.directory.covers(credential.installationId, owner)) {
        return { status: 403, body: { message: 'Resource not accessible by integration', status: '403' } };
      }
    }
    return route.handle({
      params,
      url: request.url,
      origin: request.origin,
      apiBase: `${request.origin}${request.ghes ? GHES_PREFIX : ''}`,
      body: request.body,
      credential,
      backend: this.options.backend,
      directory: this.options.directory,
      auth: this.auth,
      labelIds: this.labelIds,
    });
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new SyntaxError('body too large');
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text.length === 0 ? undefined : JSON.parse(text);
}

/** GitHub's answer to a caller over a secondary limit (REST docs, "Exceeding the rate limit"). */
function secondaryLimitAnswer(retryAfterSeconds: number): Answer {
  return {
    status: 403,
    headers: { 'retry-after': String(retryAfterSeconds) },
    body: {
      message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
      status: '403',
    },
  };
}
