import {
  ConflictError,
  FleetError,
  NotFoundError,
  PermanentError,
  RateLimitedError,
  TransientError,
} from '../../errors.js';

/**
 * Maps what Octokit throws onto the port's errors (ports/github.ts). The result carries no `cause`
 * and no request: Octokit's RequestError holds request headers and bodies, and a logger that
 * serialises causes must never see a token, the JWT or a JIT config.
 *
 * GitHub docs, "Rate limits for the REST API": a primary limit answers 403/429 with
 * `x-ratelimit-remaining: 0` and `x-ratelimit-reset` (epoch seconds); a secondary limit answers
 * 403/429 with `retry-after` (seconds), or without it, in which case wait at least a minute.
 */
export function toFleetError(error: unknown, operation: string, nowMs: number): FleetError {
  if (error instanceof FleetError) return error;
  const wire = readWireError(error);
  if (wire.status === undefined) return new TransientError(`GitHub ${operation}: request failed without an answer`);
  const { status, headers } = wire;
  const detail = wire.message ? `: ${wire.message}` : '';
  const what = `GitHub ${operation} answered ${status}${detail}`;
  if (status === 404) return new NotFoundError(what);
  // 422: e.g. DELETE of a runner GitHub holds busy; 409: e.g. a JIT config for a name already registered.
  if (status === 422 || status === 409) return new ConflictError(what);
  if (status === 403 || status === 429) {
    const reset = Number(headers['x-ratelimit-reset']);
    if (headers['x-ratelimit-remaining'] === '0') {
      return new RateLimitedError(what, Number.isFinite(reset) && reset > 0 ? reset * 1000 : undefined);
    }
    const retryAfter = Number(headers['retry-after']);
    if (Number.isFinite(retryAfter) && headers['retry-after'] !== undefined) {
      return new RateLimitedError(what, nowMs + Math.max(retryAfter, 0) * 1000);
    }
    if (status === 429 || /secondary rate limit/i.test(wire.message ?? '')) {
      return new RateLimitedError(what, nowMs + 60_000);
    }
    return new PermanentError(what);
  }
  // Octokit reports network failures (fetch rejected, aborted) as status 500.
  if (status >= 500) return new TransientError(what);
  return new PermanentError(what);
}

interface WireError {
  readonly status: number | undefined;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly message: string | undefined;
}

function readWireError(error: unknown): WireError {
  if (typeof error !== 'object' || error === null) return { status: undefined, headers: {}, message: undefined };
  const status = 'status' in error && typeof error.status === 'number' ? error.status : undefined;
  const response = 'response' in error && isRecord(error.response) ? error.response : undefined;
  const headers: Record<string, string | undefined> = {};
  if (response && isRecord(response.headers)) {
    for (const [key, value] of Object.entries(response.headers)) {
      if (typeof value === 'string' || typeof value === 'number') headers[key.toLowerCase()] = String(value);
    }
  }
  const data = response?.data;
  const message = isRecord(data) && typeof data.message === 'string' ? scrub(data.message) : undefined;
  return { status, headers, message };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** GitHub's messages do not echo credentials; this keeps it so if a proxy or a fake ever did. */
function scrub(message: string): string {
  return message
    .replace(/\bgh[a-z]_[A-Za-z0-9_]+/g, '[REDACTED]')
    .replace(/\beyJ[\w-]*\.[\w-]+\.[\w-]+/g, '[REDACTED]')
    .replace(/-----BEGIN[\s\S]*?(-----END[^-]*-----|$)/g, '[REDACTED]')
    .slice(0, 300);
}
