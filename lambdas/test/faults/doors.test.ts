import { describe, expect, test } from '@jest/globals';
import { faultClass } from '../../src/sim/faults/catalog.js';
import { gatePorts } from '../../src/sim/faults/gate-ports.js';
import { runFaultClass } from '../../src/sim/faults/matrix.js';
import { runFaultSimulation, type FaultDoor } from '../../src/sim/faults/run.js';
import { inProcessPorts } from '../../src/sim/ports/index.js';

/**
 * The seam the HTTP door plugs into: ports built elsewhere (production adapters over the
 * facades) with the crash gate put in front by `gatePorts`. Here the ports are the in-process
 * ones behind an open gate, so the crash points must hit exactly as through the in-process door.
 */
const gatedDoor: FaultDoor = {
  name: 'gated-in-process',
  open: (world) =>
    Promise.resolve({
      portsFor: (gate) => gatePorts(inProcessPorts(world), gate),
      close: () => Promise.resolve(),
    }),
};

describe('a door through gatePorts', () => {
  test('hits the same protocol crash points as the in-process door, and keeps the promise', async () => {
    const [direct] = await runFaultClass('scale-down-crashes', { seeds: [2] });
    const [gated] = await runFaultClass('scale-down-crashes', { seeds: [2], door: gatedDoor });
    expect(gated!.crashesFired).toEqual(direct!.crashesFired);
    expect(gated!.crashesFired.length).toBeGreaterThanOrEqual(5);
    expect({
      killed: gated!.accounting.jobsKilled,
      leaked: gated!.instancesLeaked,
      secrets: gated!.secretsLeft,
    }).toEqual({ killed: 0, leaked: 0, secrets: 0 });
  });
});

describe('runner configs of instances that never boot', () => {
  test('the baselines leave them in SSM; quarantine sweeps them', async () => {
    // Prepare: the spot class with 5 % failed boots (their agent never reads its config).
    const base = faultClass('spot-interruptions').scenario;
    const scenario = { ...base, world: { ...base.world, ec2: { ...base.world.ec2, bootFailureRate: 0.05 } } };
    // Act
    const ours = await runFaultSimulation({ scenario, strategy: 'quarantine', seed: 1 });
    const naive = await runFaultSimulation({ scenario, strategy: 'naive', seed: 1 });
    // Assess
    expect(ours.secretsLeft).toBe(0);
    expect(ours.metrics.get('runnerConfigsSwept') ?? 0).toBeGreaterThan(0);
    expect(naive.secretsLeft).toBeGreaterThan(0);
  });
});
