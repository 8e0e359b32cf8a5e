import type { ScaleUpConfig } from '../../config/schema.js';
import { handleScaleUpInvocation } from '../../core/scale-up/index.js';
import { handleWebhook, recentIds, webhookSecretSource } from '../../core/webhook/index.js';
import { SecretRegistry } from '../../observability/redact.js';
import { inProcessPorts } from '../ports/index.js';
import { openGate } from '../ports/gate.js';
import type { World } from '../world/world.js';
import type { ControlPlaneCode, ControlPlaneSpec, Door, OpenDoor } from './types.js';

/**
 * The in-process door: each function is the real core code of the Lambda (the same call its
 * handler makes), given in-process ports over the world. Every port call passes the invocation's
 * gate (a crash or Lambda's timeout ends it), is counted, rate limited and delayed like the HTTP
 * door's. What lives per container in production (webhook delivery memory, the webhook secret
 * cache, scale-up's processed ids) lives per function here, as one warm container each.
 */
function code(world: World, spec: ControlPlaneSpec, registry: SecretRegistry): ControlPlaneCode {
  const { configs, strategy } = spec;
  const webhookConfig = configs.webhook;
  const deliveries = recentIds();
  // The secret read is the world's own SSM; reads are not gated (a crashed webhook reading it changes nothing).
  const secret = webhookSecretSource(
    inProcessPorts(world, openGate).ssm,
    world.engine.clock,
    webhookConfig.webhookSecretParameter,
    webhookConfig.github.secretCacheSeconds * 1000,
    registry,
  );
  return {
    webhook: (event, invocation) => {
      const ports = inProcessPorts(world, invocation.gate);
      return handleWebhook(
        event,
        { sqs: ports.sqs, ec2: ports.ec2, clock: ports.clock, secret, deliveries },
        { config: webhookConfig, log: invocation.log, metrics: invocation.metrics },
      );
    },
    scaleUp: (config: ScaleUpConfig) => {
      const processed = recentIds();
      return (event, invocation) =>
        handleScaleUpInvocation(
          event,
          { ...inProcessPorts(world, invocation.gate), secrets: registry, processed },
          { config, log: invocation.log, metrics: invocation.metrics },
        );
    },
    scaleDown: (_event, invocation) =>
      strategy.run({
        ports: inProcessPorts(world, invocation.gate),
        config: configs.scaleDown,
        log: invocation.log,
        metrics: invocation.metrics,
      }),
  };
}

export const inProcessDoor: Door = {
  name: 'in-process',
  open(world: World, spec: ControlPlaneSpec): Promise<OpenDoor> {
    // Its own registry: a day of JIT configs must not grow the process-wide one.
    const registry = new SecretRegistry();
    return Promise.resolve({
      code: code(world, spec, registry),
      secrets: () => [],
      facts: () => ({}),
      close: () => Promise.resolve(),
    });
  },
};
