import { scaleUpConfigSchema } from '../../config/schema.js';
import { handleScaleUpInvocation, type ScaleUpAnswer, type ScaleUpInvocation } from '../../core/scale-up/index.js';
import { recentIds } from '../../core/webhook/dedup.js';
import { secrets, type SecretRegistry } from '../../observability/redact.js';
import type { Ports } from '../../ports/index.js';
import { defineHandler, type HandlerOverrides } from '../shared/define-handler.js';
import { createProductionPorts } from '../shared/production-ports.js';

/**
 * Structurally the `SQSEvent` of an event source mapping (only id, body and source queue are
 * read), the warm-pool schedule's constant input (`WARM_POOL_EVENT`), or EC2's spot interruption
 * warning from EventBridge.
 */
export type ScaleUpEvent = ScaleUpInvocation;

export type ScaleUpPorts = Pick<Ports, 'github' | 'ec2' | 'ssm' | 'sqs' | 'clock'>;

export interface ScaleUpHandlerOptions {
  /**
   * Where JIT configs and registration tokens are registered for log scrubbing (default: the
   * process-wide registry the Powertools logger uses). A long simulation can pass its own.
   */
  readonly secrets?: SecretRegistry;
}

/**
 * The scale-up Lambda on the pools' queues (event source mapping with
 * `ReportBatchItemFailures`), on a one-minute schedule when a pool has a warm pool, and on EC2's
 * spot interruption warnings when a pool runs spot. Thin: configuration and ports once per container, then the core.
 */
export function createScaleUpHandler(
  overrides: HandlerOverrides<ScaleUpPorts> = {},
  options: ScaleUpHandlerOptions = {},
) {
  const processed = recentIds();
  const registry = options.secrets ?? secrets;
  return defineHandler(
    {
      functionName: 'scale-up',
      schema: scaleUpConfigSchema,
      init: (tools): ScaleUpPorts => createProductionPorts(tools),
      handle: (event: ScaleUpEvent, ports, tools): Promise<ScaleUpAnswer> =>
        handleScaleUpInvocation(
          event,
          { ...ports, secrets: registry, processed },
          { config: tools.config, log: tools.log, metrics: tools.metrics },
        ),
    },
    overrides,
  );
}

export const handler = createScaleUpHandler();
