import { LogFormatter, LogItem, Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { secrets, type SecretRegistry } from './redact.js';
import type { Log } from './types.js';

/**
 * The Powertools JSON fields (level, message, timestamp, service, Lambda context), with every
 * attribute passed through the secret scrubber.
 */
class RedactingLogFormatter extends LogFormatter {
  constructor(private readonly registry: SecretRegistry) {
    super();
  }

  override formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    const context = attributes.lambdaContext;
    const base: LogAttributes = {
      level: attributes.logLevel,
      message: attributes.message,
      timestamp: this.formatTimestamp(attributes.timestamp),
      service: attributes.serviceName,
      cold_start: context?.coldStart,
      function_name: context?.functionName,
      function_request_id: context?.awsRequestId,
      xray_trace_id: attributes.xRayTraceId,
    };
    const scrubbed = this.registry.scrub({ ...base, ...additional });
    const item = new LogItem({ attributes: {} });
    if (scrubbed !== null && typeof scrubbed === 'object' && !Array.isArray(scrubbed)) {
      item.addAttributes(scrubbed as LogAttributes);
    }
    return item;
  }

  override formatError(error: Error): LogAttributes {
    const formatted = super.formatError(error);
    const scrubbed = this.registry.scrub(formatted);
    return scrubbed !== null && typeof scrubbed === 'object' ? (scrubbed as LogAttributes) : {};
  }
}

export interface LoggerOptions {
  readonly serviceName: string;
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  readonly registry?: SecretRegistry;
}

/** A Powertools Logger (JSON, one line per entry) that never prints a registered secret. */
export function createLogger(options: LoggerOptions): Logger {
  return new Logger({
    serviceName: options.serviceName,
    logLevel: options.logLevel ?? 'INFO',
    logFormatter: new RedactingLogFormatter(options.registry ?? secrets),
  });
}

/** Adapts a Powertools Logger to the core's `Log` port. */
export function asLog(logger: Logger): Log {
  return {
    debug: (message, attributes) => logger.debug(message, attributes ?? {}),
    info: (message, attributes) => logger.info(message, attributes ?? {}),
    warn: (message, attributes) => logger.warn(message, attributes ?? {}),
    error: (message, attributes) => logger.error(message, attributes ?? {}),
  };
}
