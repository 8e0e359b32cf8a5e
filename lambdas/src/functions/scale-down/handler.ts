import { scaleDownConfigSchema, type ScaleDownConfig } from '../../config/schema.js';
import { quarantineStrategy } from '../../core/scale-down/index.js';
import type { ScaleDownReport, ScaleDownStrategy } from '../../core/strategy.js';
import { describeError } from '../../errors.js';
import type { Ports } from '../../ports/index.js';
import { defineHandler, type HandlerOverrides } from '../shared/define-handler.js';
import { createProductionPorts } from '../shared/production-ports.js';

export interface ScaleDownDeps {
  readonly ports: Ports;
  /** Ours in production; the simulator injects a baseline here to compare (it never ships one). */
  readonly strategy: ScaleDownStrategy;
}

/**
 * Scheduled by EventBridge Scheduler (reserved concurrency 1, plus the SSM lease the strategy
 * takes). The event carries nothing we use: each run observes the fleet afresh. A failed run is
 * logged and rethrown, so Lambda's Errors metric and its alarm see it; whatever state it left
 * (marks, quarantines) is resumed by the next run.
 */
export function createScaleDownHandler(overrides: HandlerOverrides<ScaleDownDeps> = {}) {
  return defineHandler(
    {
      functionName: 'scale-down',
      schema: scaleDownConfigSchema,
      init: (tools): ScaleDownDeps => ({
        ports: createProductionPorts(tools),
        strategy: quarantineStrategy,
      }),
      handle: async (_event: unknown, deps, tools): Promise<ScaleDownReport> => {
        const config: ScaleDownConfig = tools.config;
        try {
          const report = await deps.strategy.run({ ports: deps.ports, config, log: tools.log, metrics: tools.metrics });
          tools.log.info('scale-down run finished', { strategy: deps.strategy.name, ...report });
          return report;
        } catch (error) {
          tools.log.error('scale-down run failed', { strategy: deps.strategy.name, error: describeError(error) });
          throw error;
        }
      },
    },
    overrides,
  );
}

export const handler = createScaleDownHandler();
