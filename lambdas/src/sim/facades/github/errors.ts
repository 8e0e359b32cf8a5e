import {
  AlreadyExistsError,
  ConflictError,
  NotFoundError,
  PermanentError,
  RateLimitedError,
  TransientError,
} from '../../../errors.js';
import type { Answer } from './router.js';

const DOCS = 'https://docs.github.com/rest';

/** A secondary limit (GitHub answers `retry-after`); a plain RateLimitedError is read as the primary limit. */
export function secondaryRateLimit(retryAtMs?: number): RateLimitedError {
  return new RateLimitedError('You have exceeded a secondary rate limit', retryAtMs);
}

export function primaryRateLimit(resetAtMs?: number): RateLimitedError {
  return new RateLimitedError('API rate limit exceeded', resetAtMs);
}

/**
 * Backend errors → GitHub's answers (docs: "Rate limits for the REST API", "Troubleshooting").
 * The 403 bodies say "secondary rate limit" / "API rate limit exceeded" as GitHub does, which
 * clients (the adapter's limiter in adapters/github/octokit.ts among them) rely on to tell the two apart.
 */
export function answerFor(error: unknown, nowMs: number): Answer {
  if (error instanceof NotFoundError) return { status: 404, body: { message: 'Not Found', documentation_url: DOCS } };
  if (error instanceof ConflictError) {
    return { status: 422, body: { message: error.message, documentation_url: DOCS } };
  }
  if (error instanceof AlreadyExistsError) {
    return { status: 409, body: { message: 'Already exists', documentation_url: DOCS } };
  }
  if (error instanceof RateLimitedError) {
    if (/secondary/i.test(error.message)) {
      // Never `retry-after: 0`: Octokit reads it as missing and waits 60 s (toolchain.md §1).
      const seconds = Math.max(1, Math.ceil(((error.retryAtMs ?? nowMs + 60_000) - nowMs) / 1000));
      return {
        status: 403,
        headers: { 'retry-after': String(seconds) },
        body: {
          message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
          documentation_url: DOCS,
        },
      };
    }
    const reset = Math.ceil((error.retryAtMs ?? nowMs + 3_600_000) / 1000);
    return {
      status: 403,
      headers: {
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-used': '5000',
        'x-ratelimit-reset': String(reset),
        'x-ratelimit-resource': 'core',
      },
      body: { message: 'API rate limit exceeded for installation.', documentation_url: DOCS },
    };
  }
  if (error instanceof TransientError) {
    return /unavailable/i.test(error.message)
      ? { status: 503, body: { message: 'Service Unavailable' } }
      : { status: 502, body: { message: 'Server Error' } };
  }
  if (error instanceof PermanentError) {
    return { status: 400, body: { message: 'Bad Request', documentation_url: DOCS } };
  }
  return { status: 500, body: { message: 'Server Error' } };
}
