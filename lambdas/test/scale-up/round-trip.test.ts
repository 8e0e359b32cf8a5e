import { describe, expect, it } from '@jest/globals';
import { handleScaleUpBatch } from '../../src/core/scale-up/scale-up.js';
import { recentIds } from '../../src/core/webhook/dedup.js';
import { handleWebhook } from '../../src/core/webhook/webhook.js';
import { webhookConfigSchema } from '../../src/config/schema.js';
import { httpEvent, jobPayload, SECRET } from '../webhook/fixtures.js';
import {
  jobAtGitHub,
  LINUX_QUEUE,
  poolInstances,
  queueArnOf,
  rawScaleUpConfig,
  recorder,
  scaleUpConfig,
  world,
} from './fixtures.js';

describe('webhook → queue → scale-up', () => {
  it('turns one queued delivery (sent twice) into one configured runner', async () => {
    // Prepare: both Lambdas over the same memory backends and the same pools.
    const w = world();
    jobAtGitHub(w, 4242);
    const { runnerConfigPath: _path, extraTags: _tags, instanceArnPrefix: _arn, ...common } = rawScaleUpConfig();
    const webhookConfig = webhookConfigSchema.parse({ ...common, webhookSecretParameter: '/ghr/test/secret' });
    const r = recorder();
    const webhookDeps = { sqs: w.sqs, ec2: w.ec2, clock: w.clock, secret: async () => SECRET, deliveries: recentIds() };
    const send = () =>
      handleWebhook(httpEvent(jobPayload({ jobId: 4242 }), { delivery: 'guid-1' }), webhookDeps, {
        config: webhookConfig,
        log: r.log,
        metrics: r.metrics,
      });

    // Act: the delivery, its replay, then one scale-up batch of what the queue holds.
    const statuses = [(await send()).statusCode, (await send()).statusCode];
    const received = await w.sqs.receiveMessages(LINUX_QUEUE, { maxMessages: 10 });
    const result = await handleScaleUpBatch(
      received.map((m) => ({ messageId: m.messageId, body: m.body, eventSourceARN: queueArnOf('linux') })),
      w.deps,
      { config: scaleUpConfig(), log: r.log, metrics: r.metrics },
    );

    // Assess
    expect(statuses).toEqual([202, 200]);
    expect(received).toHaveLength(1);
    expect(result.batchItemFailures).toEqual([]);
    const instances = await poolInstances(w);
    expect(instances).toHaveLength(1);
    const [runner] = await w.github.listRunners({ kind: 'org', org: 'acme' });
    expect(runner?.name).toBe(instances[0]?.instanceId);
  });
});
