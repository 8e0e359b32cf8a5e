import { Logger } from '@aws-lambda-powertools/logger';
import type { LogItemExtraInput, LogItemMessage } from '@aws-lambda-powertools/logger/types';
import { Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE } from '../../observability/metrics.js';

/**
 * The handlers' Powertools Logger and Metrics, kept off stdout: with `--json` stdout holds one
 * JSON object only (issue 3), and a day of simulated webhooks would print megabytes of EMF. Log
 * lines go to a sink (the CLI writes warnings and errors to stderr); metrics are counted in memory.
 */
export type LogSink = (
  level: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR',
  service: string,
  message: string,
  attributes?: unknown,
) => void;

function text(input: LogItemMessage): string {
  return typeof input === 'string' ? input : String(input.message);
}

export class SinkLogger extends Logger {
  constructor(
    private readonly service: string,
    private readonly sink: LogSink,
  ) {
    super({ serviceName: service, logLevel: 'INFO' });
  }

  override debug(input: LogItemMessage, ...extra: LogItemExtraInput): void {
    this.sink('DEBUG', this.service, text(input), extra[0]);
  }

  override info(input: LogItemMessage, ...extra: LogItemExtraInput): void {
    this.sink('INFO', this.service, text(input), extra[0]);
  }

  override warn(input: LogItemMessage, ...extra: LogItemExtraInput): void {
    this.sink('WARN', this.service, text(input), extra[0]);
  }

  override error(input: LogItemMessage, ...extra: LogItemExtraInput): void {
    this.sink('ERROR', this.service, text(input), extra[0]);
  }
}

/** Powertools Metrics that count instead of printing EMF. */
export class CountingMetrics extends PowertoolsMetrics {
  readonly totals = new Map<string, number>();

  constructor(service: string) {
    super({ namespace: METRICS_NAMESPACE, serviceName: service });
  }

  override addMetric(name: string, _unit: Parameters<PowertoolsMetrics['addMetric']>[1], value: number): this {
    this.totals.set(name, (this.totals.get(name) ?? 0) + value);
    return this;
  }

  override publishStoredMetrics(): this {
    this.clearMetrics();
    return this;
  }

  override captureColdStartMetric(): void {
    // No EMF line for cold starts either.
  }
}
