import { describe, expect, test } from '@jest/globals';
import { TAG, decodeAgentState, encodeLifecycle } from '../../src/core/tags.js';
import { RateLimitedError } from '../../src/errors.js';
import { InProcessEc2 } from '../../src/sim/ports/index.js';
import { advance, bootedWorld, submit, testPool } from './helpers.js';

const fixed = (s: number): [number, number] => [s, s];

describe('EC2 and the host model', () => {
  test('tag reads are eventually consistent: a write shows after the read lag', async () => {
    // Prepare
    const { world, instanceIds } = await bootedWorld({ params: { ec2: { tagReadLagSeconds: fixed(2) } } });
    const ec2 = new InProcessEc2(world);
    const id = instanceIds[0]!;
    // Act
    await ec2.createTags([id], { 'ghr:bypass-removal': 'yes' });
    const [before] = await ec2.listInstances({ instanceIds: [id] });
    await advance(world, 2000);
    const [after] = await ec2.listInstances({ instanceIds: [id] });
    // Assess
    expect(before?.tags['ghr:bypass-removal']).toBeUndefined();
    expect(after?.tags['ghr:bypass-removal']).toBe('yes');
  });

  test('the agent publishes busy while a job runs and idle after it, in order', async () => {
    // Prepare
    const { world, pool, instanceIds } = await bootedWorld({
      pool: testPool('linux', { ephemeral: false }),
      registration: 'token',
    });
    const ec2 = new InProcessEc2(world);
    const read = async () => decodeAgentState((await ec2.listInstances({ instanceIds }))[0]?.tags[TAG.agentState]);
    // Act
    const job = submit(world, pool, 120_000);
    await advance(world, 30_000);
    const during = await read();
    await advance(world, 120_000);
    const after = await read();
    // Assess
    expect(during).toMatchObject({ state: 'busy', jobId: String(job.id) });
    expect(after).toMatchObject({ state: 'idle' });
  });

  test('the agent answers a retiring mark with one state write carrying the acknowledgement', async () => {
    // Prepare
    const { world, instanceIds } = await bootedWorld();
    const ec2 = new InProcessEc2(world);
    const markMs = world.now;
    const writesBefore = world.eventLog.all().filter((l) => l.includes('by=agent')).length;
    // Act
    await ec2.createTags(instanceIds, { [TAG.lifecycle]: encodeLifecycle({ phase: 'retiring', markMs }) });
    await advance(world, 30_000);
    const [instance] = await ec2.listInstances({ instanceIds });
    // Assess
    expect(decodeAgentState(instance?.tags[TAG.agentState])).toMatchObject({ state: 'idle', ackMarkMs: markMs });
    expect(world.eventLog.all().filter((l) => l.includes('by=agent')).length).toBe(writesBefore + 1);
  });

  test('a silently dead agent does not acknowledge', async () => {
    const { world, instanceIds } = await bootedWorld();
    const ec2 = new InProcessEc2(world);
    world.hosts.killAgent(world.hosts.hosts.get(instanceIds[0]!)!);
    await ec2.createTags(instanceIds, { [TAG.lifecycle]: encodeLifecycle({ phase: 'retiring', markMs: world.now }) });
    await advance(world, 30_000);
    const [instance] = await ec2.listInstances({ instanceIds });
    expect(decodeAgentState(instance?.tags[TAG.agentState])?.ackMarkMs).toBeUndefined();
  });

  test('TerminateInstances kills the running job at once, counted as the control plane', async () => {
    // Prepare
    const { world, pool, instanceIds } = await bootedWorld({
      pool: testPool('linux', { ephemeral: false }),
      registration: 'token',
    });
    const ec2 = new InProcessEc2(world);
    const job = submit(world, pool, 600_000);
    await advance(world, 10_000);
    // Act
    await ec2.terminateInstances(instanceIds);
    // Assess
    expect(job).toMatchObject({ status: 'killed', cause: 'terminate' });
    expect((await ec2.listInstances({ instanceIds }))[0]?.state).toBe('shutting-down');
  });

  test('a spot interruption warns, then terminates; the job counts as lost to spot', async () => {
    const { world, pool } = await bootedWorld({
      params: { ec2: { spotInterruptionsPerHour: 50 } },
      pool: testPool('linux', { ephemeral: false, capacityType: 'spot' }),
      registration: 'token',
    });
    const job = submit(world, pool, 3_600_000);
    await advance(world, 3_600_000);
    expect(job).toMatchObject({ status: 'killed', cause: 'spot' });
    expect(world.eventLog.all().some((l) => l.includes('ec2.spotWarning'))).toBe(true);
  });

  test('a reusable JIT instance asks its queue for the next registration while its job runs and again after it, resends, and ends itself unanswered', async () => {
    // Prepare: no control plane in this world, so nobody answers.
    const { world, pool, instanceIds } = await bootedWorld({
      pool: testPool('linux', { ephemeral: false, maxRunners: 1 }),
      registration: 'jit',
    });
    const queue = pool.config.queueUrl;
    // Act: one job; its one-job runner exits.
    const job = submit(world, pool, 60_000);
    await advance(world, 90_000);
    const first = world.sqs.receive(queue, 10);
    await advance(world, 60_000);
    const resent = world.sqs.receive(queue, 10);
    await advance(world, 600_000);
    // Assess: a request once the job ran, exited published, a request (and its resend), then the
    // instance ended itself.
    expect(job.status).toBe('completed');
    const body = { kind: 'recycle', instanceId: instanceIds[0], pool: 'linux' };
    expect(first.map((m) => JSON.parse(m.body) as unknown)).toEqual([body, body]);
    expect(resent.map((m) => JSON.parse(m.body) as unknown)).toEqual([body]);
    expect(world.ec2.readTags(world.ec2.instances.get(instanceIds[0]!)!)['ghr:agent-state']).toMatch(/^exited@/);
    expect(world.ec2.instances.get(instanceIds[0]!)?.terminatedBy).toBe('self');
  });

  test('throttle windows answer RequestLimitExceeded', async () => {
    const { world } = await bootedWorld();
    world.ec2.throttleWindows = [{ fromMs: world.now, toMs: world.now + 1000 }];
    const ec2 = new InProcessEc2(world);
    await expect(ec2.listInstances({})).rejects.toBeInstanceOf(RateLimitedError);
    await advance(world, 1000);
    await expect(ec2.listInstances({})).resolves.toHaveLength(1);
  });

  test('account token buckets throttle mutating calls past the burst and refill over time', async () => {
    // Prepare
    const { world, instanceIds } = await bootedWorld({
      params: {
        ec2: { tokenBuckets: { describe: { burst: 100, perSecond: 20 }, mutating: { burst: 2, perSecond: 1 } } },
      },
    });
    const ec2 = new InProcessEc2(world);
    const tagCallsBefore = world.counters.aws.get('CreateTags') ?? 0;
    // Act
    await ec2.createTags(instanceIds, { a: '1' });
    await ec2.createTags(instanceIds, { a: '2' });
    const third = ec2.createTags(instanceIds, { a: '3' });
    await expect(third).rejects.toBeInstanceOf(RateLimitedError);
    await advance(world, 1000);
    // Assess
    await expect(ec2.createTags(instanceIds, { a: '4' })).resolves.toBeUndefined();
    expect(world.counters.rateLimitHits).toBe(1);
    expect(world.counters.aws.get('CreateTags')).toBe(tagCallsBefore + 4);
  });

  test('instance metadata shows the instance its own tags after the IMDS lag; the agent acts on that view', async () => {
    // Prepare
    const { world, instanceIds } = await bootedWorld({
      params: { ec2: { imdsLagSeconds: fixed(10), tagReadLagSeconds: fixed(0) }, runner: { tagPollSeconds: fixed(0) } },
    });
    const ec2 = new InProcessEc2(world);
    const instance = world.ec2.instances.get(instanceIds[0]!)!;
    const mark = encodeLifecycle({ phase: 'retiring', markMs: world.now });
    // Act
    await ec2.createTags(instanceIds, { [TAG.lifecycle]: mark });
    await advance(world, 9000);
    const early = world.ec2.readImdsTags(instance)[TAG.lifecycle];
    const ackedEarly = world.eventLog.all().some((l) => l.includes('agent.ack'));
    await advance(world, 1000);
    // Assess
    expect(early).toBeUndefined();
    expect(ackedEarly).toBe(false);
    expect(world.ec2.readImdsTags(instance)[TAG.lifecycle]).toBe(mark);
    expect(world.eventLog.all().some((l) => l.includes('agent.ack'))).toBe(true);
  });
});
