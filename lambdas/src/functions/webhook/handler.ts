import { webhookConfigSchema } from '../../config/schema.js';
import { handleWebhook, recentIds, webhookSecretSource, type WebhookHttpEvent } from '../../core/webhook/index.js';
import type { Ports } from '../../ports/index.js';
import { defineHandler, type HandlerOverrides } from '../shared/define-handler.js';
import { createProductionPorts } from '../shared/production-ports.js';

/**
 * The webhook Lambda behind a function URL or an HTTP API (payload format 2.0). Thin: the
 * configuration is parsed once, the ports built once, and the secret cache and delivery
 * memory live as long as the container.
 */
export type WebhookPorts = Pick<Ports, 'ssm' | 'sqs' | 'ec2' | 'clock'>;

export function createWebhookHandler(overrides: HandlerOverrides<WebhookPorts> = {}) {
  const deliveries = recentIds();
  let secret: (() => Promise<string>) | undefined;
  return defineHandler(
    {
      functionName: 'webhook',
      schema: webhookConfigSchema,
      init: (tools): WebhookPorts => createProductionPorts(tools),
      handle: (event: WebhookHttpEvent, ports, tools) => {
        secret ??= webhookSecretSource(
          ports.ssm,
          ports.clock,
          tools.config.webhookSecretParameter,
          tools.config.github.secretCacheSeconds * 1000,
        );
        return handleWebhook(
          event,
          { sqs: ports.sqs, ec2: ports.ec2, clock: ports.clock, secret, deliveries },
          { config: tools.config, log: tools.log, metrics: tools.metrics },
        );
      },
    },
    overrides,
  );
}

export const handler = createWebhookHandler();
