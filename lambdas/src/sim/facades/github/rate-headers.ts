import type { Clock } from '../../../ports/clock.js';
import { ownerKey } from '../../../ports/github.js';
import type { Credential } from './auth.js';
import { ownerOf } from './router.js';

/** One budget as GitHub reports it in `x-ratelimit-*` (REST docs, "Rate limits for the REST API"). */
export interface RateBudget {
  readonly limit: number;
  readonly used: number;
  /** When the window ends (ms since the epoch). */
  readonly resetMs: number;
}

/**
 * Reads a budget by key: an owner's (`ownerKey`, the budget the world's installation limit counts),
 * or `app:<id>` / `anonymous` for calls that name no owner. Undefined: the facade's own count.
 */
export type RateBudgetView = (key: string) => RateBudget | undefined;

const HOUR_MS = 3_600_000;
/** GitHub: an installation's and an App's (JWT) primary budget start at 5,000 an hour; unauthenticated 60. */
const LIMIT = 5_000;
const ANONYMOUS_LIMIT = 60;

/**
 * `x-ratelimit-*` on every response, as GitHub sends them: the facade counts each request against
 * its key's hourly window, unless a view (the world's counters) knows the budget.
 */
export class RateHeaders {
  private readonly windows = new Map<string, { hour: number; used: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly view?: RateBudgetView,
  ) {}

  /** The key a request is counted under. */
  static keyOf(params: Readonly<Record<string, string>> | undefined, credential: Credential): string {
    // GitHub counts an unauthenticated (or refused) caller apart, on a small budget.
    if (credential.kind !== 'jwt' && credential.kind !== 'installation') return 'anonymous';
    const owner = params === undefined ? undefined : ownerOf(params);
    return owner !== undefined && credential.kind === 'installation' ? ownerKey(owner) : `app:${credential.appId}`;
  }

  /** Counts one request under `key` and returns its headers. */
  count(key: string): Record<string, string> {
    const now = this.clock.now();
    const hour = Math.floor(now / HOUR_MS);
    const window = this.windows.get(key) ?? { hour, used: 0 };
    if (window.hour !== hour) Object.assign(window, { hour, used: 0 });
    window.used++;
    this.windows.set(key, window);
    const own: RateBudget = {
      limit: key === 'anonymous' ? ANONYMOUS_LIMIT : LIMIT,
      used: window.used,
      resetMs: (hour + 1) * HOUR_MS,
    };
    const budget = this.view?.(key) ?? own;
    return {
      'x-ratelimit-limit': String(budget.limit),
      'x-ratelimit-remaining': String(Math.max(0, budget.limit - budget.used)),
      'x-ratelimit-used': String(budget.used),
      'x-ratelimit-reset': String(Math.ceil(budget.resetMs / 1000)),
      'x-ratelimit-resource': 'core',
    };
  }
}

/** Why a credential was refused, in the words GitHub uses for each case (401 bodies). */
export function refusalMessage(credential: Credential): string {
  if (credential.kind === 'none') return 'Requires authentication';
  if (credential.kind !== 'invalid') return 'Bad credentials';
  const reasons: Readonly<Record<string, string>> = {
    'JWT issued in the future':
      "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued (it is in the future)",
    'JWT expired':
      "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
    'JWT exp too far in the future': "'Expiration time' claim ('exp') is too far in the future",
    'JWT lacks iss, iat or exp': "The JWT lacks an 'iss', 'iat' or 'exp' claim",
    'unknown app': "Integration not found: the JWT's 'iss' is no App this server knows",
  };
  return reasons[credential.reason] ?? `Bad credentials (${credential.reason})`;
}
