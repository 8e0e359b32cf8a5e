import { describe, expect, it } from '@jest/globals';
import { decodeMessage } from '../../src/core/scale-up/messages.js';
import { TAG } from '../../src/core/tags.js';
import { handleWebhook } from '../../src/core/webhook/webhook.js';
import { deps, httpEvent, jobPayload, launchRunner, ORG_QUEUE, recorder, webhookConfig, world } from './fixtures.js';

/** A job lost to a spot reclaim becomes a `rerun` message on its pool's queue (core/webhook/spot-rerun.ts). */
async function setup(rerun = true) {
  const w = await world();
  const r = recorder();
  const config = webhookConfig({
    pools: {
      ...(webhookConfig().pools as object),
      linux: { ...webhookConfig().pools['linux']!, rerunOnSpotInterruption: rerun },
    },
  });
  const send = (conclusion: string, runnerName: string | null) =>
    handleWebhook(
      httpEvent(jobPayload({ action: 'completed', runnerName, conclusion, completedAt: '2026-11-28T06:01:00Z' }), {
        delivery: `d-${conclusion}`,
      }),
      deps(w),
      { config, log: r.log, metrics: r.metrics },
    );
  const messages = async () =>
    (await w.sqs.receiveMessages(ORG_QUEUE, { maxMessages: 10 })).map((m) => decodeMessage(m.body));
  return { w, r, send, messages };
}

const warned = { [TAG.spotInterruption]: String(Date.UTC(2026, 10, 28, 5, 59, 0)) };

describe('webhook: re-run attempts', () => {
  it("a queued re-run carries GitHub's run_attempt; a first attempt does not", async () => {
    const w = await world();
    const r = recorder();
    const send = (body: Record<string, unknown>, delivery: string) =>
      handleWebhook(httpEvent(body, { delivery }), deps(w), {
        config: webhookConfig(),
        log: r.log,
        metrics: r.metrics,
      });
    const first = jobPayload();
    const again = jobPayload({ jobId: 4243 });
    (again['workflow_job'] as Record<string, unknown>)['run_attempt'] = 2;
    await send(first, 'q-1');
    await send(again, 'q-2');
    const sent = (await w.sqs.receiveMessages(ORG_QUEUE, { maxMessages: 10 })).map((m) => decodeMessage(m.body));
    expect(sent).toEqual([
      { ok: true, message: expect.not.objectContaining({ runAttempt: expect.anything() }) },
      { ok: true, message: expect.objectContaining({ jobId: 4243, runAttempt: 2 }) },
    ]);
  });
});

describe('webhook: jobs lost to a spot reclaim', () => {
  it('a failed job on a warned instance, terminated since, is queued for a re-run', async () => {
    const { w, r, send, messages } = await setup();
    const id = await launchRunner(w, warned);
    await w.memoryEc2.terminateInstances([id]);
    await send('failure', id);
    expect(await messages()).toEqual([
      {
        ok: true,
        message: {
          kind: 'rerun',
          deliveryId: 'd-failure',
          jobId: 4242,
          repo: { owner: 'acme', repo: 'widgets' },
          instanceId: id,
          pool: 'linux',
        },
      },
    ]);
    expect(r.counts.get('WebhookSpotRerunQueued')).toBe(1);
  });

  it.each([
    ['a successful job on a warned instance', 'success', true],
    ['a failed job on an instance EC2 never warned', 'failure', false],
  ])('%s is not re-run', async (_name, conclusion, isWarned) => {
    const { w, send, messages } = await setup();
    const id = await launchRunner(w, isWarned ? warned : {});
    await send(conclusion, id);
    expect(await messages()).toEqual([]);
  });

  it('a pool that does not re-run counts the lost job and queues nothing', async () => {
    const { w, r, send, messages } = await setup(false);
    const id = await launchRunner(w, warned);
    await send('cancelled', id);
    expect(await messages()).toEqual([]);
    expect(r.counts.get('WebhookSpotJobLost')).toBe(1);
  });
});
