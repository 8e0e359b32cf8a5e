/**
 * Maps AWS SDK v3 errors onto the port error hierarchy (lambdas/src/errors.ts), so decisions never
 * look at an AWS error code. Messages name the service, the operation and the AWS error code; they
 * never carry request parameters (SSM values are secrets), and SSM server messages are dropped too.
 */
import {
  AlreadyExistsError,
  CapacityError,
  FleetError,
  NotFoundError,
  PermanentError,
  RateLimitedError,
  TransientError,
} from '../../errors.js';

/** Throttling codes across EC2 (RequestLimitExceeded), SSM (ThrottlingException) and SQS (RequestThrottled). */
const RATE_LIMITED = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'TooManyRequestsException',
  'TooManyUpdates',
  'SlowDown',
]);

const NOT_FOUND = new Set([
  'InvalidInstanceID.NotFound',
  'ParameterNotFound',
  'QueueDoesNotExist',
  'AWS.SimpleQueueService.NonExistentQueue',
  'NoSuchKey', // S3 GetObject
  'NotFound', // S3 HeadObject (a HEAD answer has no body, so no code beyond the status)
]);

const ALREADY_EXISTS = new Set(['ParameterAlreadyExists']);

/** EC2 "no capacity" codes (EC2 API error codes reference). */
const CAPACITY = new Set([
  'InsufficientInstanceCapacity',
  'InsufficientHostCapacity',
  'InsufficientReservedInstanceCapacity',
  'InsufficientCapacity',
  'InsufficientCapacityOnHost',
  'MaxSpotInstanceCountExceeded',
  'SpotMaxPriceTooLow',
  'Unsupported',
  'UnfulfillableCapacity',
]);

/** Transient AWS codes that may come with a 4xx-looking fault. */
const TRANSIENT = new Set([
  'InternalError',
  'InternalFailure',
  'InternalServerError',
  'ServiceUnavailable',
  'Unavailable',
]);

/** Node/network error codes and SDK timeout names: the request may never have reached AWS. */
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

interface AwsErrorShape {
  readonly code: string;
  readonly status?: number;
  readonly fault?: string;
  readonly retryable: boolean;
  readonly serverMessage: string;
}

function field(error: object, key: string): unknown {
  return (error as Record<string, unknown>)[key];
}

/** Reads the fields the SDK puts on a ServiceException (or a Node network error), narrowing by hand. */
export function inspectAwsError(error: unknown): AwsErrorShape {
  if (typeof error !== 'object' || error === null) {
    return { code: 'Unknown', retryable: false, serverMessage: String(error) };
  }
  const name = field(error, 'name');
  const errCode = field(error, 'Code') ?? field(error, 'code');
  const code = typeof errCode === 'string' && errCode !== '' && name === 'Error' ? errCode : name;
  const metadata = field(error, '$metadata');
  const status = typeof metadata === 'object' && metadata !== null ? field(metadata, 'httpStatusCode') : undefined;
  const fault = field(error, '$fault');
  const message = field(error, 'message');
  return {
    code: typeof code === 'string' ? code : 'Unknown',
    status: typeof status === 'number' ? status : undefined,
    fault: typeof fault === 'string' ? fault : undefined,
    retryable: field(error, '$retryable') !== undefined,
    serverMessage: typeof message === 'string' ? message : '',
  };
}

export interface AwsCallContext {
  readonly service: 'EC2' | 'SSM' | 'SQS' | 'S3';
  readonly operation: string;
  /** Safe to log (an instance id, a parameter *name*, a queue URL). */
  readonly subject?: string;
  /** False for SSM: its messages may echo what was sent. */
  readonly includeServerMessage?: boolean;
}

export function mapAwsError(error: unknown, context: AwsCallContext): FleetError {
  if (error instanceof FleetError) return error;
  const shape = inspectAwsError(error);
  const subject = context.subject === undefined ? '' : ` ${context.subject}`;
  const detail = context.includeServerMessage === false || shape.serverMessage === '' ? '' : `: ${shape.serverMessage}`;
  const message = `${context.service} ${context.operation}${subject} failed with ${shape.code}${detail}`;
  const options = { cause: error };
  if (RATE_LIMITED.has(shape.code)) return new RateLimitedError(message, undefined, options);
  if (NOT_FOUND.has(shape.code)) return new NotFoundError(message, options);
  if (ALREADY_EXISTS.has(shape.code)) return new AlreadyExistsError(message, options);
  if (CAPACITY.has(shape.code)) return new CapacityError(message, options);
  if (
    TRANSIENT.has(shape.code) ||
    NETWORK.has(shape.code) ||
    shape.fault === 'server' ||
    (shape.status !== undefined && shape.status >= 500) ||
    shape.retryable
  ) {
    return new TransientError(message, options);
  }
  return new PermanentError(message, options);
}

/** Runs one SDK call, mapping whatever it throws. */
export async function awsCall<T>(context: AwsCallContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw mapAwsError(error, context);
  }
}
