import middy from '@middy/core';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { parseConfig, readConfigVariable } from '../../config/index.js';
import { describeError, ConfigError } from '../../errors.js';
import { asLog, createLogger } from '../../observability/logger.js';
import { asMetrics, createMetrics } from '../../observability/metrics.js';
import type { Log, Metrics } from '../../observability/types.js';

export interface HandlerTools<C> {
  readonly config: C;
  readonly logger: Logger;
  readonly log: Log;
  readonly metrics: Metrics;
}

export interface HandlerSpec<S extends z.ZodType, D, E, R> {
  /** Service name in logs and metrics, and the name in configuration errors. */
  readonly functionName: string;
  readonly schema: S;
  /** Builds clients once per container, after the configuration parsed (cold start). */
  readonly init: (tools: HandlerTools<z.output<S>>) => D | Promise<D>;
  readonly handle: (event: E, deps: D, tools: HandlerTools<z.output<S>>, context: Context) => Promise<R>;
}

export interface HandlerOverrides<D> {
  /** Raw configuration JSON instead of the environment variable (tests, the simulator). */
  readonly rawConfig?: string;
  /** Dependencies instead of `init` (the simulator passes its own ports). */
  readonly deps?: D;
  readonly logger?: Logger;
  readonly metrics?: PowertoolsMetrics;
  /**
   * middy's early timeout (on by default) races the handler against a wall-clock timer set from
   * `context.getRemainingTimeInMillis()`. The simulator turns it off: its invocations live on
   * virtual time, so a wall-clock timer would abort a run because the machine is slow, and keep
   * the process alive after a simulation ends with a run still parked.
   */
  readonly timeoutEarly?: boolean;
}

/**
 * Wraps a handler the way every function of this project is wrapped: configuration parsed
 * once per container (a bad one fails every invocation with one error naming every bad key),
 * Powertools Logger with per-invocation context (`resetKeys` so one invocation's keys never
 * leak into the next) and Powertools Metrics flushed as EMF. The middy-wrapped handler is
 * what the module exports, so what runs in Lambda is what the tests invoke.
 */
export function defineHandler<S extends z.ZodType, D, E, R>(
  spec: HandlerSpec<S, D, E, R>,
  overrides: HandlerOverrides<D> = {},
) {
  const logger = overrides.logger ?? createLogger({ serviceName: spec.functionName });
  const powertoolsMetrics = overrides.metrics ?? createMetrics(spec.functionName);
  let ready: Promise<{ deps: D; tools: HandlerTools<z.output<S>> }> | undefined;

  const coldStart = async () => {
    const raw = 'rawConfig' in overrides ? overrides.rawConfig : readConfigVariable();
    const config = parseConfig(spec.schema, raw, spec.functionName);
    const level = (config as { logLevel?: unknown }).logLevel;
    if (level === 'DEBUG' || level === 'INFO' || level === 'WARN' || level === 'ERROR') logger.setLogLevel(level);
    // Every metric carries the deployment's `environment` besides `service`: the alarms (alarms.tf)
    // match that exact dimension set, so two deployments sharing an account never trip each other's.
    const environment = (config as { environment?: unknown }).environment;
    if (typeof environment === 'string') powertoolsMetrics.setDefaultDimensions({ environment });
    const tools: HandlerTools<z.output<S>> = {
      config,
      logger,
      log: asLog(logger),
      metrics: asMetrics(powertoolsMetrics),
    };
    const deps = overrides.deps ?? (await spec.init(tools));
    return { deps, tools };
  };

  const base = async (event: E, context: Context): Promise<R> => {
    // Memoised, failure included: a container with a bad configuration stays broken and says why each time.
    ready ??= coldStart();
    let prepared: Awaited<typeof ready>;
    try {
      prepared = await ready;
    } catch (error) {
      const problems = error instanceof ConfigError ? error.problems : [];
      logger.error('cold start failed', { error: describeError(error), problems });
      throw error;
    }
    return spec.handle(event, prepared.deps, prepared.tools, context);
  };

  return middy(base, overrides.timeoutEarly === false ? { timeoutEarlyInMillis: 0 } : {})
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(powertoolsMetrics, { captureColdStartMetric: true, throwOnEmptyMetrics: false }));
}
