import { beforeAll, describe, expect, test } from '@jest/globals';
import type { SimWorld } from '../../src/sim/build.js';
import { buildWorld } from '../../src/sim/build.js';
import { account, type Accounting } from '../../src/sim/accounting.js';
import { runToEnd } from '../../src/sim/run.js';
import { loadScenario } from '../../src/sim/scenarios/load.js';
import type { Scenario } from '../../src/sim/scenarios/schema.js';
import { pastHardBound } from '../../src/sim/world/hostile/accounting.js';

/**
 * Issue 14 item 10: the hostile-runner scenario with our protocol (the default strategy). A fifth of
 * the runners are attackers; every attempt must be stopped by the runner role (IAM), by scale-up's
 * own checks, or by scale-down's bounds, and no honest job may die. Budgeted in seeds and simulated
 * hours: three seeds of 8 hours, plus one run with the lifetime bound switched off.
 */
const SEEDS = [1, 2, 3];
const HOURS = 8;
const LIFETIME_HOURS = 2;

interface Run {
  readonly seed: number;
  readonly sim: SimWorld;
  readonly a: Accounting;
}

async function run(scenario: Scenario, seed: number): Promise<Run> {
  const sim = await buildWorld(scenario, { seed, hours: HOURS });
  try {
    await runToEnd(sim);
    return { seed, sim, a: account(sim) };
  } finally {
    await sim.close();
  }
}

function withLifetime(scenario: Scenario, hours: number): Scenario {
  const pools = Object.fromEntries(
    Object.entries(scenario.pools).map(([name, pool]) => [name, { ...pool, maximumLifetimeHours: hours }]),
  );
  return { ...scenario, pools };
}

const runs: Run[] = [];
let unbounded: Run;

beforeAll(async () => {
  const scenario = loadScenario('hostile-runner');
  for (const seed of SEEDS) runs.push(await run(scenario, seed));
  // The lifetime bound as good as off: only the protocol stands against the liars.
  unbounded = await run(withLifetime(scenario, 8760), 1);
});

function hostile(r: Run) {
  const h = r.a.hostile;
  if (h === undefined) throw new Error('hostile-runner ran without attackers');
  return h;
}

describe(`hostile-runner, our protocol: ${SEEDS.length} seeds × ${HOURS} simulated hours`, () => {
  test('the scenario has attackers of every tactic, and they attack', () => {
    for (const r of runs) {
      const h = hostile(r);
      expect({ seed: r.seed, tactics: Object.keys(h.tactics).length }).toEqual({ seed: r.seed, tactics: 4 });
      expect(h.readOtherConfig.attempted).toBeGreaterThan(0);
      expect(h.forgedRecycle.attempted).toBeGreaterThan(0);
    }
  });

  test('no honest job is killed', () => {
    for (const r of runs)
      expect({ seed: r.seed, killed: hostile(r).honestJobsKilled }).toEqual({ seed: r.seed, killed: 0 });
  });

  test('launches never exceed a pool maximum', () => {
    for (const r of runs) {
      const h = hostile(r);
      expect({ seed: r.seed, over: h.launchesOverMax }).toEqual({ seed: r.seed, over: 0 });
      for (const [pool, live] of Object.entries(h.maxLiveByPool)) {
        expect({ seed: r.seed, pool, ok: live.max <= live.maxRunners }).toEqual({ seed: r.seed, pool, ok: true });
      }
    }
  });

  test('the runner role denies every cross-pool send, foreign SSM read or delete, listing and foreign tag', () => {
    for (const r of runs) {
      const h = hostile(r);
      for (const t of [
        h.sendToOtherPool,
        h.sendToOwnJobQueue,
        h.readOtherConfig,
        h.deleteOtherConfig,
        h.listConfigs,
        h.readAppSecret,
      ]) {
        expect(t.attempted).toBeGreaterThan(0);
        expect(t.deniedByIam).toBe(t.attempted);
      }
      // Only its own agent-state tag is written; every other tag attempt is denied.
      expect(h.forgedTags.written + h.forgedTags.deniedByIam).toBe(h.forgedTags.attempted);
      expect(h.forgedTags.deniedByIam).toBeGreaterThan(0);
    }
  });

  test('no forged recycle gives a registration to an instance not its own that did not ask for one', () => {
    for (const r of runs) {
      const f = hostile(r).forgedRecycle;
      // What IAM let through reached the real scale-up, which dropped or answered it.
      expect(f.deniedByIam).toBeGreaterThan(0);
      expect(f.droppedByScaleUp).toBeGreaterThan(0);
      expect(f.deniedByIam + f.droppedByScaleUp + f.honoured + f.pending).toBe(f.attempted);
      expect({ seed: r.seed, stray: f.honouredFor.honestNotWaiting }).toEqual({ seed: r.seed, stray: 0 });
      expect({ seed: r.seed, extra: hostile(r).extraRegistrations }).toEqual({
        seed: r.seed,
        extra: { honest: 0, hostile: 0 },
      });
    }
  });
});

describe('the hard bound (L4 of docs/safety.md): launch + maximum lifetime + 2 periods + guarantee 2 bound', () => {
  const schedule = (r: Run) => r.sim.scenario.scaleDown.everyMinutes;

  test('every instance ends within it', () => {
    for (const r of runs) {
      const past = pastHardBound(r.sim.world, r.sim.configs.scaleDown, schedule(r));
      expect({ seed: r.seed, past }).toEqual({ seed: r.seed, past: [] });
    }
  });

  test('it is the lifetime bound that ends the liars: without it, busy liars outlive the 2-hour bound', () => {
    const r = unbounded;
    const past = pastHardBound(r.sim.world, r.sim.configs.scaleDown, schedule(r), () => LIFETIME_HOURS);
    const liars = past.filter((p) => {
      const tactic = r.sim.world.hostile?.tactics.get(p.instanceId);
      return tactic === 'busy-forever' || tactic === 'future-busy';
    });
    expect(liars.length).toBeGreaterThan(0);
    // And with the bound on (the scenario's 2 hours), none of them is past it.
    for (const b of runs) expect(pastHardBound(b.sim.world, b.sim.configs.scaleDown, schedule(b))).toEqual([]);
  });
});
