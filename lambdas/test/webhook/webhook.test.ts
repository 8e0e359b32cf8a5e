import { describe, expect, it } from '@jest/globals';
import { decodeMessage } from '../../src/core/scale-up/messages.js';
import { TAG } from '../../src/core/tags.js';
import { handleWebhook } from '../../src/core/webhook/webhook.js';
import { TransientError } from '../../src/errors.js';
import {
  deps,
  ENVIRONMENT,
  httpEvent,
  jobPayload,
  launchRunner,
  ORG_QUEUE,
  queued,
  recorder,
  REPO_QUEUE,
  SECRET,
  webhookConfig,
  world,
} from './fixtures.js';

const config = webhookConfig();

async function setup() {
  const w = await world();
  const r = recorder();
  const d = deps(w);
  const send = (event: Parameters<typeof handleWebhook>[0]) =>
    handleWebhook(event, d, { config, log: r.log, metrics: r.metrics });
  return { w, r, d, send };
}

describe('webhook: refusals before any side effect', () => {
  it.each([
    ['no body', { ...httpEvent(jobPayload()), body: undefined }, 400, 'missing_body'],
    ['an empty body', { ...httpEvent(jobPayload()), body: '' }, 400, 'missing_body'],
    ['a body over maxBodyBytes', httpEvent(`{"x":"${'a'.repeat(5000)}"}`), 413, 'body_too_large'],
    [
      'a base64 body over maxBodyBytes',
      httpEvent(`{"x":"${'a'.repeat(5000)}"}`, { base64: true }),
      413,
      'body_too_large',
    ],
    [
      'a form-encoded body',
      httpEvent(jobPayload(), { contentType: 'application/x-www-form-urlencoded' }),
      415,
      'unsupported_media_type',
    ],
    [
      'no content type',
      { ...httpEvent(jobPayload()), headers: { 'x-hub-signature-256': 'sha256=00' } },
      415,
      'unsupported_media_type',
    ],
    ['no signature', httpEvent(jobPayload(), { signature: null }), 401, 'missing_signature'],
    [
      'a signature made with another secret',
      httpEvent(jobPayload(), { secret: 'not-the-secret' }),
      401,
      'bad_signature',
    ],
    ['a malformed signature', httpEvent(jobPayload(), { signature: 'sha256=xyz' }), 401, 'bad_signature'],
    ['signed malformed JSON', httpEvent('{"action": "queued", '), 400, 'malformed_json'],
    ['a signed workflow_job without a job', httpEvent({ action: 'queued' }), 400, 'malformed_payload'],
    [
      'a delivery without an event name',
      { ...httpEvent(jobPayload()), headers: { ...httpEvent(jobPayload()).headers, 'x-github-event': undefined } },
      400,
      'missing_event',
    ],
  ])('refuses %s', async (_name, event, status, reason) => {
    // Prepare
    const { w, r, send } = await setup();
    const runner = await launchRunner(w);
    // Act
    const result = await send(event);
    // Assess
    expect(result.statusCode).toBe(status);
    expect(JSON.parse(result.body)).toEqual({ message: reason });
    expect(await queued(w)).toBe(0);
    expect(w.tagWrites).toEqual([]);
    expect((await w.ec2.listInstances({ instanceIds: [runner] }))[0]?.tags[TAG.jobEvidence]).toBeUndefined();
    expect(r.counts.get(`WebhookRejected_${reason}`)).toBe(1);
  });

  it('checks the signature over base64-decoded bytes', async () => {
    const { w, send } = await setup();
    const result = await send(httpEvent(jobPayload(), { base64: true }));
    expect(result.statusCode).toBe(202);
    expect(await queued(w)).toBe(1);
  });

  it('answers 503 and does nothing when the secret cannot be read', async () => {
    const w = await world();
    const r = recorder();
    const d = deps(w, async () => {
      throw new TransientError('SSM unavailable');
    });
    const result = await handleWebhook(httpEvent(jobPayload()), d, { config, log: r.log, metrics: r.metrics });
    expect(result.statusCode).toBe(503);
    expect(await queued(w)).toBe(0);
  });
});

describe('webhook: events', () => {
  it('answers ping with 200', async () => {
    const { w, send } = await setup();
    const result = await send(httpEvent({ zen: 'Design for failure.', hook_id: 1 }, { event: 'ping' }));
    expect(result.statusCode).toBe(200);
    expect(await queued(w)).toBe(0);
  });

  it('ignores other events with 202 and no side effect', async () => {
    const { w, r, send } = await setup();
    const result = await send(httpEvent({ action: 'opened' }, { event: 'pull_request' }));
    expect(result.statusCode).toBe(202);
    expect(await queued(w)).toBe(0);
    expect(r.counts.get('WebhookIgnored')).toBe(1);
  });

  it('ignores workflow_job actions other than queued, in_progress and completed', async () => {
    const { w, send } = await setup();
    const result = await send(httpEvent(jobPayload({ action: 'waiting' })));
    expect(result.statusCode).toBe(202);
    expect(await queued(w)).toBe(0);
  });
});

describe('webhook: queued jobs', () => {
  it('sends a typed job message to the matching pool queue', async () => {
    // Prepare
    const { w, r, send } = await setup();
    // Act
    const result = await send(httpEvent(jobPayload({ jobId: 7 }), { delivery: 'd-7' }));
    // Assess
    expect(result.statusCode).toBe(202);
    const [message] = await w.sqs.receiveMessages(ORG_QUEUE);
    const decoded = decodeMessage(message?.body ?? '');
    expect(decoded).toEqual({
      ok: true,
      message: {
        kind: 'job',
        deliveryId: 'd-7',
        jobId: 7,
        runId: 99,
        repo: { owner: 'acme', repo: 'widgets' },
        labels: ['self-hosted', 'linux', 'gpu'],
        installationId: 77,
        pool: 'linux',
        receivedAtMs: w.clock.now(),
      },
    });
    expect(r.counts.get('WebhookAccepted')).toBe(1);
  });

  it('routes a repo pool job to its queue', async () => {
    const { w, send } = await setup();
    await send(httpEvent(jobPayload({ labels: ['self-hosted', 'arm-build'] })));
    expect(await queued(w, REPO_QUEUE)).toBe(1);
    expect(await queued(w, ORG_QUEUE)).toBe(0);
  });

  it('answers an unmatched job with 202 and enqueues nothing', async () => {
    const { w, send } = await setup();
    const result = await send(httpEvent(jobPayload({ labels: ['self-hosted', 'windows'] })));
    expect(result.statusCode).toBe(202);
    expect(result.body).toContain('no_matching_pool');
    expect(await queued(w)).toBe(0);
  });

  it('says why a job asking only for default labels is refused', async () => {
    const { w, send } = await setup();
    const result = await send(httpEvent(jobPayload({ labels: ['self-hosted', 'linux', 'x64'] })));
    expect(result.statusCode).toBe(202);
    expect(JSON.parse(result.body)).toEqual({ message: 'ignored: only_default_labels' });
    expect(await queued(w)).toBe(0);
  });

  it('has no second effect for a replay of the same delivery', async () => {
    const { w, r, send } = await setup();
    const first = await send(httpEvent(jobPayload(), { delivery: 'same' }));
    const replay = await send(httpEvent(jobPayload(), { delivery: 'same' }));
    expect([first.statusCode, replay.statusCode]).toEqual([202, 200]);
    expect(await queued(w)).toBe(1);
    expect(r.counts.get('WebhookDuplicate')).toBe(1);
  });

  it('answers 503 when SQS fails, and a redelivery then succeeds', async () => {
    // Prepare
    const { w, d, r } = await setup();
    let fail = true;
    const flaky = {
      ...d,
      sqs: {
        sendMessage: async (url: string, body: string) => {
          if (fail) throw new TransientError('SQS 500');
          return w.sqs.sendMessage(url, body);
        },
      },
    };
    const ctx = { config, log: r.log, metrics: r.metrics };
    // Act
    const failed = await handleWebhook(httpEvent(jobPayload(), { delivery: 'x' }), flaky, ctx);
    fail = false;
    const redelivered = await handleWebhook(httpEvent(jobPayload(), { delivery: 'x' }), flaky, ctx);
    // Assess
    expect([failed.statusCode, redelivered.statusCode]).toEqual([503, 202]);
    expect(await queued(w)).toBe(1);
  });
});

describe('webhook: job evidence', () => {
  const evidenceOf = async (w: Awaited<ReturnType<typeof world>>, id: string) =>
    (await w.ec2.listInstances({ instanceIds: [id] }))[0]?.tags[TAG.jobEvidence];

  it('tags the runner instance with in_progress and then completed', async () => {
    const { w, send } = await setup();
    const id = await launchRunner(w);
    await send(httpEvent(jobPayload({ action: 'in_progress', runnerName: id }), { delivery: 'a' }));
    expect(await evidenceOf(w, id)).toBe(`in_progress:4242@${Date.parse('2026-11-28T05:59:30Z')}`);
    await send(
      httpEvent(jobPayload({ action: 'completed', runnerName: id, completedAt: '2026-11-28T06:01:00Z' }), {
        delivery: 'b',
      }),
    );
    expect(await evidenceOf(w, id)).toBe(`completed:4242@${Date.parse('2026-11-28T06:01:00Z')}`);
  });

  it('never lets a late completed of an older job hide the job now running', async () => {
    // Prepare: job 2 runs on the instance (reusable pool); job 1's completed arrives late.
    const { w, send } = await setup();
    const id = await launchRunner(w);
    await send(
      httpEvent(jobPayload({ action: 'in_progress', jobId: 2, runnerName: id, startedAt: '2026-11-28T06:05:00Z' }), {
        delivery: 'job2-start',
      }),
    );
    // Act
    const result = await send(
      httpEvent(jobPayload({ action: 'completed', jobId: 1, runnerName: id, completedAt: '2026-11-28T06:04:00Z' }), {
        delivery: 'job1-done',
      }),
    );
    // Assess
    expect(JSON.parse(result.body)).toEqual({ message: 'stale' });
    expect(await evidenceOf(w, id)).toBe(`in_progress:2@${Date.parse('2026-11-28T06:05:00Z')}`);
  });

  it('finds the instance of a runner prepared ahead, named `<instance-id>-<runner id it follows>`', async () => {
    const { w, send } = await setup();
    const id = await launchRunner(w);
    const at = '2026-11-28T06:05:00Z';
    const result = await send(
      httpEvent(jobPayload({ action: 'in_progress', jobId: 7, runnerName: `${id}-41`, startedAt: at }), {
        delivery: 'prepared',
      }),
    );
    expect(JSON.parse(result.body)).toEqual({ message: 'written' });
    expect(await evidenceOf(w, id)).toBe(`in_progress:7@${Date.parse(at)}`);
  });

  it('does not tag instances of another fleet, or runners not named after an instance', async () => {
    const { w, send } = await setup();
    const foreign = await launchRunner(w, { [TAG.environment]: 'other-fleet' });
    const a = await send(httpEvent(jobPayload({ action: 'in_progress', runnerName: foreign }), { delivery: 'f' }));
    const b = await send(httpEvent(jobPayload({ action: 'in_progress', runnerName: 'my-laptop' }), { delivery: 'g' }));
    const c = await send(
      httpEvent(jobPayload({ action: 'in_progress', runnerName: `${foreign}-x1` }), { delivery: 'h' }),
    );
    expect(JSON.parse(a.body)).toEqual({ message: 'no_instance' });
    expect(JSON.parse(b.body)).toEqual({ message: 'not_our_runner' });
    expect(JSON.parse(c.body)).toEqual({ message: 'not_our_runner' });
    expect(w.tagWrites).toEqual([]);
    expect(ENVIRONMENT).not.toBe('other-fleet');
  });
});

describe('webhook: logs', () => {
  it('never logs the body, the signature or the secret', async () => {
    const { r, send } = await setup();
    // Verified deliveries log ids and outcome only (job labels too, when no pool matches: an operator needs them).
    const event = httpEvent({ ...jobPayload(), sender: { login: 'canary-label-xyz' } });
    await send(event);
    await send(httpEvent('{"canary-label-xyz": ', {}));
    const text = JSON.stringify(r.lines);
    expect(text).not.toContain('canary-label-xyz');
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(event.headers?.['x-hub-signature-256']?.slice(7) ?? 'none');
  });
});
