import fc from 'fast-check';
import type { ScaleDownStrategy } from '../../../src/core/strategy.js';
import { buildConfigs } from '../../../src/sim/control-plane/configs.js';
import { resolveStrategy, runSimulation } from '../../../src/sim/run.js';
import { benignScenarioNames, loadScenario } from '../../../src/sim/scenarios/load.js';
import {
  GUARD_B_ABSENT,
  adversarial,
  withRegistrations,
  type RegistrationVariant,
} from '../../../src/sim/scenarios/variants.js';
import { BOUND_MARGIN_MS } from '../../../src/core/scale-down/verdict.js';

/**
 * The main safety property of docs/safety.md, shared by the property test and the test that proves
 * it can fail (properties-mutants.test.ts): our protocol in worlds where guard (b) is absent
 * (long-lived registrations, or JIT where deleting an assigned registration cancels its job), at the
 * far end of the world model's ranges (GitHub calls up to 5 s, quarantine propagation up to 60 s,
 * 3 % of GitHub calls failing, some agents dying silently), so every step of the protocol is needed.
 *
 * `stale-labels` is left out: there GitHub ignores a label quarantine (guard (a) fails by design),
 * and with guard (b) absent as well nothing the protocol does can close the last window; what
 * happens then is stated in docs/safety.md ("When both guards fail") and reported by the bench.
 */
export const HOURS = 10;

export const PROPERTY_SCENARIOS = benignScenarioNames().filter((name) => name !== 'stale-labels');

export interface WorldCase {
  readonly scenario: string;
  readonly variant: RegistrationVariant;
  readonly agentDeathChance: number;
  readonly seed: number;
}

export const worldCases: fc.Arbitrary<WorldCase> = fc.record({
  scenario: fc.constantFrom(...PROPERTY_SCENARIOS),
  variant: fc.constantFrom(...GUARD_B_ABSENT),
  agentDeathChance: fc.constantFrom(0, 0.05),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
});

export function caseScenario(c: WorldCase) {
  return adversarial(withRegistrations(loadScenario(c.scenario), c.variant), {
    agentDeathChance: c.agentDeathChance,
    latencySeconds: 5,
    errorRate: 0.03,
    propagationSeconds: 60,
  });
}

/** A violated property, or undefined when the run kept them all. */
export async function violation(c: WorldCase, strategy?: ScaleDownStrategy): Promise<string | undefined> {
  const scenario = caseScenario(c);
  const entry = resolveStrategy('quarantine');
  const config = buildConfigs(scenario, entry).scaleDown;
  const result = await runSimulation({ scenario, strategy: strategy ?? entry, seed: c.seed, hours: HOURS });
  const a = result.accounting;
  const context = `${c.scenario} [${c.variant}] deaths ${c.agentDeathChance} seed ${c.seed}`;
  // S1 (and guarantee 1: dead agents are in these worlds): no job killed.
  if (a.jobsKilled > 0) return `${context}: ${a.jobsKilled} jobs killed (${JSON.stringify(a.killedJobs.slice(0, 3))})`;
  // S2: nothing leaked.
  if (a.instancesLeaked > 0) return `${context}: ${a.instancesLeaked} instances leaked`;
  // Guarantee 2: from its latest quarantine, a marked instance is gone or back in service within
  // settle + the pool's maximum job duration + the margin (the retirement bound), plus one schedule
  // period for the run that acts on it, that run's own settle wait (it re-checks resumed marks with
  // the candidates it marks itself) and a minute for its calls (docs/safety.md).
  const scheduleMs = scenario.scaleDown.everyMinutes * 60_000;
  for (const [pool, span] of Object.entries(a.retirementSecondsByPool)) {
    const maxJobMs = config.pools[pool]!.maxJobDurationMinutes * 60_000;
    const boundMs = 2 * config.settleSeconds * 1000 + maxJobMs + BOUND_MARGIN_MS + scheduleMs + 60_000;
    if (span.afterQuarantine * 1000 > boundMs)
      return `${context}: pool ${pool} kept an instance retiring ${span.afterQuarantine} s after its quarantine (bound ${boundMs / 1000} s)`;
  }
  // The world's own bookkeeping, which the kill count rests on: a job counted completed ran its whole
  // duration on an instance that was still up when it ended.
  for (const job of result.world.github.jobs.values()) {
    if (job.status !== 'completed') continue;
    const instance = job.instanceId === undefined ? undefined : result.world.ec2.instances.get(job.instanceId);
    const ranFully = job.workerStartMs !== undefined && job.endMs === job.workerStartMs + job.durationMs;
    const hostUp =
      instance !== undefined && (instance.terminatedMs === undefined || instance.terminatedMs >= job.endMs!);
    if (!ranFully || !hostUp) return `${context}: job ${job.id} counted completed without running to its end`;
  }
  return undefined;
}
