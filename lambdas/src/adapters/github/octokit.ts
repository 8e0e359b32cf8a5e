import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/core';
import { paginateRest } from '@octokit/plugin-paginate-rest';
import { restEndpointMethods } from '@octokit/plugin-rest-endpoint-methods';
import { retry } from '@octokit/plugin-retry';
import type { Log } from '../../observability/types.js';
import { silentLog } from '../../observability/types.js';
import type { AppCredentials } from './credentials.js';
import { signAppJwt } from './jwt.js';
import { GitHubLimiter } from './limiter.js';

export const FleetOctokit = Octokit.plugin(retry, paginateRest, restEndpointMethods);
export type FleetOctokitClient = InstanceType<typeof FleetOctokit>;

/** How the adapter talks HTTP. Production takes the defaults; tests and the simulator inject. */
export interface OctokitSettings {
  /** Octokit's `request.fetch`: the transport seam. */
  readonly fetch?: typeof fetch;
  /**
   * Rate-limit handling by the GitHubLimiter (limiter.ts): GitHub's own limits per installation and
   * endpoint, `retry-after` and the primary budget honoured. `false` switches it off: no client-side
   * limits, and every rate-limit answer becomes a RateLimitedError at once. Tests that keep it on
   * pass `retryAfterBaseValue: 1` (1 ms per "second" of `retry-after`).
   */
  readonly throttle?:
    | false
    | {
        /** ms per second of `retry-after`; default 1000. */
        readonly retryAfterBaseValue?: number;
        /** Retries after a primary or secondary limit; default 1. */
        readonly maxRetries?: number;
        /** A limit that asks for a longer wait becomes a RateLimitedError instead; default 10 s. */
        readonly maxWaitSeconds?: number;
      };
  /** Retries of 5xx and network errors by @octokit/plugin-retry. `false`: none. */
  readonly retry?: false | { readonly retries?: number; readonly retryAfterBaseValue?: number };
  readonly log?: Log;
  readonly userAgent?: string;
}

export interface ClientAuth {
  readonly credentials: AppCredentials;
  /** Absent: the client authenticates as the app (JWT), for `/app/…` and installation look-ups. */
  readonly installationId?: number;
  readonly now: () => number;
  /** Shared by every client of one App (GitHubClients): it keeps each installation's limits. */
  readonly limiter?: GitHubLimiter;
}

export function createOctokit(baseUrl: string, auth: ClientAuth, settings: OctokitSettings): FleetOctokitClient {
  const log = settings.log ?? silentLog;
  const throttleSettings = settings.throttle === false ? undefined : (settings.throttle ?? {});
  const retrySettings = settings.retry === false ? { enabled: false } : settings.retry;
  const { credentials, installationId, now, limiter } = auth;
  const createJwt = async (_appId: string | number, timeDifference?: number) =>
    signAppJwt(credentials.appId, credentials.privateKey, now(), timeDifference ?? 0);
  const kit = new FleetOctokit({
    baseUrl,
    userAgent: settings.userAgent ?? 'github-runner-fleet',
    authStrategy: createAppAuth,
    auth:
      installationId === undefined
        ? { appId: credentials.appId, createJwt, log: octokitLog(log) }
        : { appId: credentials.appId, createJwt, installationId, cache: tokenCache(now), log: octokitLog(log) },
    request: settings.fetch ? { fetch: settings.fetch } : {},
    retry: {
      doNotRetry: [400, 401, 403, 404, 409, 410, 422, 429, 451],
      retries: 2,
      ...retrySettings,
    },
    log: octokitLog(log),
  });
  if (throttleSettings && limiter) {
    limitRequests(kit, limiter, installationId === undefined ? 'app' : String(installationId), now, log, {
      retryAfterMs: throttleSettings.retryAfterBaseValue ?? 1000,
      maxRetries: throttleSettings.maxRetries ?? 1,
      maxWaitMs: (throttleSettings.maxWaitSeconds ?? 10) * 1000,
    });
  }
  return kit;
}

/**
 * Every request of the client goes through the limiter; a rate-limit answer pauses the installation
 * for its `retry-after` (or until the primary budget's reset) and is retried when that wait is short.
 */
function limitRequests(
  kit: FleetOctokitClient,
  limiter: GitHubLimiter,
  installation: string,
  now: () => number,
  log: Log,
  policy: { readonly retryAfterMs: number; readonly maxRetries: number; readonly maxWaitMs: number },
): void {
  kit.hook.wrap('request', async (request, options) => {
    const method = String(options.method);
    const route = String(options.url);
    // `/app/...` is the App's own budget (its JWT), not the installation's. auth-app creates the
    // installation token through this same hook while the call that needs it waits, holding one of
    // the installation's slots: counted apart, it can never wait for a slot it holds itself.
    const caller = route.startsWith('/app/') || route === '/app' ? 'app' : installation;
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await limiter.run(caller, method, route, async () => request(options), policy.maxWaitMs);
        limiter.observe(caller, response.headers as Record<string, string | number | undefined>);
        return response;
      } catch (error) {
        const waitSeconds = rateLimitWaitSeconds(error, now());
        if (waitSeconds === undefined) throw error;
        const waitMs = waitSeconds * policy.retryAfterMs;
        limiter.pause(caller, now() + waitMs);
        const willRetry = attempt < policy.maxRetries && waitSeconds * 1000 <= policy.maxWaitMs;
        log.warn('github rate limited', { method, route, waitSeconds, willRetry });
        if (!willRetry) throw error;
      }
    }
  });
}

/**
 * How long a rate-limit answer asks to wait, in seconds (GitHub docs, "Rate limits for the REST
 * API"): until the primary limit's reset, a secondary limit's `retry-after`, or a minute when it
 * names none. Undefined for any other answer.
 */
function rateLimitWaitSeconds(error: unknown, nowMs: number): number | undefined {
  if (typeof error !== 'object' || error === null || !('status' in error)) return undefined;
  const status = (error as { status: unknown }).status;
  if (status !== 403 && status !== 429) return undefined;
  const response = (error as { response?: { headers?: Record<string, unknown>; data?: unknown } }).response;
  const headers = response?.headers ?? {};
  if (String(headers['x-ratelimit-remaining']) === '0' && headers['x-ratelimit-reset'] !== undefined) {
    return Math.max(0, Number(headers['x-ratelimit-reset']) - nowMs / 1000);
  }
  if (headers['retry-after'] !== undefined) return Math.max(0, Number(headers['retry-after']));
  const message = (response?.data as { message?: unknown } | undefined)?.message;
  if (status === 429 || (typeof message === 'string' && /secondary rate limit/i.test(message))) return 60;
  return undefined;
}

/** GitHub: an installation token lives one hour; auth-app's own cache also keeps it 59 minutes. */
const TOKEN_REUSE_MS = 59 * 60_000;

/**
 * Installation tokens cached on the injected clock rather than on auth-app's wall clock, so the
 * simulator's virtual time (which GitHub's token expiry follows there) also decides when to refresh.
 */
function tokenCache(now: () => number) {
  const entries = new Map<string, { readonly value: string; readonly storedAtMs: number }>();
  return {
    get: (key: string): string => {
      const entry = entries.get(key);
      if (entry && now() - entry.storedAtMs < TOKEN_REUSE_MS) return entry.value;
      entries.delete(key);
      return ''; // auth-app treats any falsy value as a miss
    },
    set: (key: string, value: string): void => {
      entries.set(key, { value, storedAtMs: now() });
    },
  };
}

/**
 * Octokit's plugins log with extra arguments (errors, request options). Only the message is kept:
 * the extras can carry request headers.
 */
function octokitLog(log: Log) {
  return {
    debug: (message: string) => log.debug(String(message)),
    info: (message: string) => log.info(String(message)),
    warn: (message: string) => log.warn(String(message)),
    error: (message: string) => log.error(String(message)),
  };
}
