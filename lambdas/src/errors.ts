/**
 * The error hierarchy every port speaks. Adapters map wire errors (HTTP status codes,
 * AWS error codes) onto these, so decisions never look at a status code.
 *
 * `retryable` tells a caller whether running the same step again later can succeed:
 * scheduled handlers log and rethrow; SQS handlers report the message as a batch failure.
 */
export abstract class FleetError extends Error {
  abstract readonly retryable: boolean;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A configuration value is missing or malformed. Fails cold start; never retried. */
export class ConfigError extends FleetError {
  readonly retryable = false;
  constructor(
    message: string,
    readonly problems: readonly string[] = [],
  ) {
    super(message);
  }
}

/** The resource does not exist (GitHub 404, EC2 InvalidInstanceID.NotFound, SSM ParameterNotFound). */
export class NotFoundError extends FleetError {
  readonly retryable = false;
}

/**
 * GitHub refused a change because of the resource's state: `DELETE` of a runner that its
 * (lagging) view holds busy answers 422. For scale-down this means "taken", never "retry now".
 */
export class ConflictError extends FleetError {
  readonly retryable = false;
}

/** The resource exists already (SSM PutParameter without overwrite: the lease is held). */
export class AlreadyExistsError extends FleetError {
  readonly retryable = false;
}

/** A rate limit answered: primary (reset time), secondary (`retry-after`) or EC2 RequestLimitExceeded. */
export class RateLimitedError extends FleetError {
  readonly retryable = true;
  constructor(
    message: string,
    /** Epoch milliseconds after which a retry may succeed, when the server said so. */
    readonly retryAtMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A 5xx, a timeout, a dropped connection: the same call may succeed later. */
export class TransientError extends FleetError {
  readonly retryable = true;
}

/** Anything else the remote side refused (400, 401, 403 without rate limit): fix the input or the permissions. */
export class PermanentError extends FleetError {
  readonly retryable = false;
}

/** EC2 had no capacity for the requested instance types / purchase option (InsufficientInstanceCapacity, …). */
export class CapacityError extends FleetError {
  readonly retryable = true;
}

export function isRetryable(error: unknown): boolean {
  return error instanceof FleetError ? error.retryable : true;
}

/** A message safe to log: the error's class and message, never its request or headers. */
export function describeError(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'UnknownError', message: String(error) };
}
