import { Metrics as PowertoolsMetrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Metrics } from './types.js';

export const METRICS_NAMESPACE = 'GitHubRunnerFleet';

/** Powertools Metrics (CloudWatch EMF), flushed once per invocation by the middy middleware. */
export function createMetrics(serviceName: string): PowertoolsMetrics {
  return new PowertoolsMetrics({ namespace: METRICS_NAMESPACE, serviceName });
}

/** Adapts Powertools Metrics to the core's `Metrics` port. */
export function asMetrics(metrics: PowertoolsMetrics): Metrics {
  return { count: (name, value = 1) => metrics.addMetric(name, MetricUnit.Count, value) };
}
