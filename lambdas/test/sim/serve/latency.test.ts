import { describe, expect, test } from '@jest/globals';
import { createEc2Port } from '../../../src/adapters/aws/ec2.js';
import { ALL_OURS, type OurFunctions } from '../../../src/sim/build.js';
import { loadScenario } from '../../../src/sim/scenarios/load.js';
import { startServe, type ServeHandle } from '../../../src/sim/serve/serve.js';
import { serveHarness } from './harness.js';

const harness = serveHarness();

/** `steady` with every EC2 call taking exactly `seconds` of virtual time. */
async function serveWithEc2Latency(seconds: number, functions?: OurFunctions): Promise<ServeHandle> {
  const steady = loadScenario('steady');
  const scenario = {
    ...steady,
    world: {
      ...steady.world,
      ec2: { ...steady.world.ec2, callLatencySeconds: [seconds, seconds] as [number, number] },
    },
  };
  return harness.track(await startServe({ scenario, seed: 1, port: 0, ...(functions ? { functions } : {}) }));
}

async function elapsedSeconds(handle: ServeHandle): Promise<number> {
  const response = await fetch(`${handle.controlUrl}/control/clock`);
  const body = (await response.json()) as { elapsedSeconds: number };
  return body.elapsedSeconds;
}

function externalEc2(handle: ServeHandle) {
  return createEc2Port(harness.awsClients(handle.endpoints()).ec2);
}

describe('npm start -- --serve: an external call takes the scenario call latency', () => {
  test('with none of ours inside, a call made at t answers at t + its latency, moving the clock itself', async () => {
    // Prepare
    const handle = await serveWithEc2Latency(3);
    const ec2 = externalEc2(handle);

    // Act
    await ec2.listInstances({ tags: {} });
    const afterOne = await elapsedSeconds(handle);
    await ec2.listInstances({ tags: {} });
    const afterTwo = await elapsedSeconds(handle);
    // Sent together: whether the second arrives before the first has moved the clock is real-time
    // order, so only the bounds are fixed: no less than one latency, no more than both.
    await Promise.all([ec2.listInstances({ tags: {} }), ec2.listInstances({ tags: {} })]);
    const afterTogether = await elapsedSeconds(handle);

    // Assess
    expect(afterOne).toBe(3);
    expect(afterTwo).toBe(6);
    expect(afterTogether).toBeGreaterThanOrEqual(9);
    expect(afterTogether).toBeLessThanOrEqual(12);
  });

  test('with all of ours inside, an external call answers without anyone advancing (it used to wait for the next advance)', async () => {
    // Prepare
    const handle = await serveWithEc2Latency(2, ALL_OURS);
    const ec2 = externalEc2(handle);

    // Act: nothing else moves the clock; the call must not wait for an advance that never comes
    const instances = await ec2.listInstances({ tags: {} });
    const elapsed = await elapsedSeconds(handle);

    // Assess
    expect(instances).toEqual([]);
    expect(elapsed).toBe(2);
  });
});
