import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/core';
import { paginateRest } from '@octokit/plugin-paginate-rest';
import { restEndpointMethods } from '@octokit/plugin-rest-endpoint-methods';
import { retry } from '@octokit/plugin-retry';
import { throttling, type ThrottlingOptions } from '@octokit/plugin-throttling';
import type { Log } from '../../observability/types.js';
import { silentLog } from '../../observability/types.js';
import type { AppCredentials } from './credentials.js';
import { signAppJwt } from './jwt.js';

export const FleetOctokit = Octokit.plugin(throttling, retry, paginateRest, restEndpointMethods);
export type FleetOctokitClient = InstanceType<typeof FleetOctokit>;

/** How the adapter talks HTTP. Production takes the defaults; tests and the simulator inject. */
export interface OctokitSettings {
  /** Octokit's `request.fetch`: the transport seam. */
  readonly fetch?: typeof fetch;
  /**
   * Rate-limit handling by @octokit/plugin-throttling. `false` switches the plugin off: no client-side
   * spacing of writes (1 s between mutations otherwise, module-global) and every rate-limit answer
   * becomes a RateLimitedError at once. Tests that keep it on pass `retryAfterBaseValue: 1` (1 ms per
   * "second"); never fake timers around it (toolchain.md §1).
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
}

export function createOctokit(baseUrl: string, auth: ClientAuth, settings: OctokitSettings): FleetOctokitClient {
  const log = settings.log ?? silentLog;
  const throttleSettings = settings.throttle === false ? undefined : (settings.throttle ?? {});
  const maxRetries = throttleSettings?.maxRetries ?? 1;
  const maxWaitSeconds = throttleSettings?.maxWaitSeconds ?? 10;
  const onLimit =
    (kind: 'primary' | 'secondary') =>
    (retryAfter: number, options: { method: string; url: string }, _kit: unknown, retryCount: number): boolean => {
      const willRetry = retryCount < maxRetries && retryAfter <= maxWaitSeconds;
      log.warn('github rate limited', { kind, method: options.method, route: options.url, retryAfter, willRetry });
      return willRetry;
    };
  // Typed explicitly: with plugin-retry loaded, the `throttle` augmentation of OctokitOptions is lost
  // and the callbacks would be implicit any (toolchain.md §1).
  const throttle: ThrottlingOptions = throttleSettings
    ? {
        retryAfterBaseValue: throttleSettings.retryAfterBaseValue ?? 1000,
        onRateLimit: onLimit('primary'),
        onSecondaryRateLimit: onLimit('secondary'),
      }
    : { enabled: false };
  const retrySettings = settings.retry === false ? { enabled: false } : settings.retry;
  const { credentials, installationId, now } = auth;
  const createJwt = async (_appId: string | number, timeDifference?: number) =>
    signAppJwt(credentials.appId, credentials.privateKey, now(), timeDifference ?? 0);
  return new FleetOctokit({
    baseUrl,
    userAgent: settings.userAgent ?? 'github-runner-fleet',
    authStrategy: createAppAuth,
    auth:
      installationId === undefined
        ? { appId: credentials.appId, createJwt, log: octokitLog(log) }
        : { appId: credentials.appId, createJwt, installationId, cache: tokenCache(now), log: octokitLog(log) },
    request: settings.fetch ? { fetch: settings.fetch } : {},
    throttle,
    retry: {
      doNotRetry: [400, 401, 403, 404, 409, 410, 422, 429, 451],
      retries: 2,
      ...retrySettings,
    },
    log: octokitLog(log),
  });
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
