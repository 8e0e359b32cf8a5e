import { describe, expect, test } from '@jest/globals';
import { runThroughHttpDoor } from './http-door.helpers.js';

/** Issue 8 through the HTTP door, classes 4, 5, 7 and 8: the scale-down handler's own runs, and the fleet. */
describe('the fault matrix through the HTTP door (runs and fleet)', () => {
  test('the real scale-down handler crashing after protocol steps, then the next run', async () => {
    // 5 h: the six protocol crash points sit at 30 to 255 minutes (catalog.ts); terminate needs a run after.
    const { result } = await runThroughHttpDoor('scale-down-crashes', [/^crashed after mark: 1$/], 5);
    expect(result.crashesFired).toEqual(
      expect.arrayContaining(['mark', 'quarantine', 'settle', 're-check', 'deregister', 'terminate']),
    );
  });

  test('two scale-down handlers overlapping: the second finds the lease held', async () => {
    await runThroughHttpDoor('overlapping-runs', [/^metric leaseHeld: /, /^report leaseHeld: /]);
  });

  test('spot interruptions: jobs lost to spot are counted apart', async () => {
    const { row } = await runThroughHttpDoor('spot-interruptions', [/^world: spot interruptions: /]);
    expect(row.jobsLostToSpot).toBeGreaterThan(0);
  });

  test('a runner agent that dies silently is backstopped', async () => {
    await runThroughHttpDoor('dead-agent', [/^world: silent agents: /, /^metric backstops: /]);
  });
});
