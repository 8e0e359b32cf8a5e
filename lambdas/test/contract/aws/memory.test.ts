/** In-memory behaviours beyond the contracts, which the simulator relies on. */
import { describe, expect, test } from '@jest/globals';
import { InMemoryEc2, InMemorySqs, ManualClock } from '../../../src/sim/memory/index.js';
import { fleetRequest } from '../../support/ec2-contract.js';

describe('InMemoryEc2', () => {
  test('state follows the clock: boot, shutdown, then gone after the retention', async () => {
    // Prepare
    const clock = new ManualClock();
    const ec2 = new InMemoryEc2(clock, { bootMs: 1000, shutdownMs: 500, terminatedRetentionMs: 2000 });
    const { instanceIds } = await ec2.createFleet(fleetRequest({ targetCapacity: 1 }));
    const states = async () => (await ec2.listInstances({ instanceIds })).map((i) => i.state);
    // Act
    const seen = [await states()];
    clock.advance(1000);
    seen.push(await states());
    await ec2.terminateInstances(instanceIds);
    seen.push(await states());
    clock.advance(500);
    seen.push(await states());
    clock.advance(2000);
    seen.push(await states());
    // Assess
    expect(seen).toEqual([['pending'], ['running'], ['shutting-down'], ['terminated'], []]);
  });

  test('an instance added by a test keeps its id, tags and launch time, and follows the clock', async () => {
    // Prepare
    const clock = new ManualClock(100_000);
    const ec2 = new InMemoryEc2(clock, { bootMs: 1000 });
    // Act
    ec2.addInstance({ instanceId: 'i-old', launchTimeMs: 50_000, tags: { pool: 'a' } });
    ec2.addInstance({ instanceId: 'i-new', launchTimeMs: 99_500 });
    const listed = await ec2.listInstances({});
    await ec2.terminateInstances(['i-old']);
    // Assess
    expect(listed).toEqual([
      expect.objectContaining({ instanceId: 'i-old', state: 'running', launchTimeMs: 50_000, tags: { pool: 'a' } }),
      expect.objectContaining({ instanceId: 'i-new', state: 'pending', launchTimeMs: 99_500, tags: {} }),
    ]);
    expect((await ec2.listInstances({ instanceIds: ['i-old'] }))[0]?.state).toBe('shutting-down');
    expect(() => ec2.addInstance({ instanceId: 'i-new', launchTimeMs: 0 })).toThrow(/exists/);
  });

  test('instance ids are deterministic', async () => {
    // Act
    const a = await new InMemoryEc2(new ManualClock()).createFleet(fleetRequest({ targetCapacity: 2 }));
    const b = await new InMemoryEc2(new ManualClock()).createFleet(fleetRequest({ targetCapacity: 2 }));
    // Assess
    expect(a.instanceIds).toEqual(b.instanceIds);
    expect(a.instanceIds[0]).toMatch(/^i-[0-9a-f]{17}$/);
  });
});

describe('InMemorySqs', () => {
  test('an older receipt handle deletes nothing once the message was received again', async () => {
    // Prepare
    const clock = new ManualClock();
    const sqs = new InMemorySqs(clock);
    sqs.createQueue('q', { visibilityTimeoutSeconds: 10 });
    await sqs.sendMessage('q', 'job');
    const [first] = await sqs.receiveMessages('q');
    clock.advance(10_000);
    const [second] = await sqs.receiveMessages('q');
    if (first === undefined || second === undefined) throw new Error('not received');
    // Act
    await sqs.deleteMessage('q', first.receiptHandle);
    const depthAfterStale = await sqs.getQueueDepth('q');
    await sqs.deleteMessage('q', second.receiptHandle);
    // Assess
    expect(depthAfterStale).toEqual({ visible: 0, inFlight: 1, delayed: 0 });
    expect(await sqs.getQueueDepth('q')).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  test('the queue default delay applies when a send gives none', async () => {
    // Prepare
    const clock = new ManualClock();
    const sqs = new InMemorySqs(clock);
    sqs.createQueue('q', { delaySeconds: 5 });
    // Act
    await sqs.sendMessage('q', 'a');
    await sqs.sendMessage('q', 'b', { delaySeconds: 0 });
    // Assess
    expect(await sqs.getQueueDepth('q')).toEqual({ visible: 1, inFlight: 0, delayed: 1 });
  });
});
