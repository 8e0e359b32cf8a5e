import fc from 'fast-check';
import type { Delivery, Gate, InstancePlan, JobPlan, JobTiming, Scenario } from './model.js';

/**
 * Gates range over the first run's calls: with one instance it makes about 40, with three about 50
 * (lease and listing ≈ 9, marks and quarantines ≈ 5, nine settle sleeps and demand reads, the
 * re-check, deletes, terminations, release). Calls 9–16 — marks, quarantines, the quarantine time —
 * are where a runner's last job may slip in: they get extra weight.
 */
const MAX_GATE = 50;

const gate: fc.Arbitrary<Gate> = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: MAX_GATE }), weight: 3 },
  { arbitrary: fc.integer({ min: 9, max: 16 }), weight: 2 },
);

/** Webhooks: mostly delivered (early or late), sometimes lost. */
const delivery: fc.Arbitrary<Delivery> = fc.oneof(
  { arbitrary: gate, weight: 3 },
  { arbitrary: fc.constant('lost' as const), weight: 1 },
);

const jobTiming: fc.Arbitrary<JobTiming> = fc.record({ ends: gate, inProgressHook: delivery, completedHook: delivery });

/** `arbitrary` once in `every` scenarios, otherwise undefined. */
const sometimes = <T>(arbitrary: fc.Arbitrary<T>, every: number): fc.Arbitrary<T | undefined> =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: every - 1 }, { arbitrary, weight: 1 });

const instancePlan: fc.Arbitrary<InstancePlan> = fc.record({
  pool: fc.constantFrom('repo' as const, 'org' as const),
  start: fc.constantFrom('idle' as const, 'idle' as const, 'busy' as const, 'orphan' as const, 'silent' as const),
  agentDies: sometimes(gate, 3),
  job: jobTiming,
});

const jobPlan: fc.Arbitrary<JobPlan> = fc
  .record({ pool: fc.constantFrom('repo' as const, 'org' as const), arrives: gate })
  .chain((base) => jobTiming.map((timing) => ({ ...base, ...timing })));

/**
 * A fleet of 1–3 instances, 0–2 jobs arriving on the pools' queues, and what may go wrong with the
 * runs: a crash after any call, a stall past the lease, a quiet lease TTL, a second run.
 */
export const scenarioArbitrary: fc.Arbitrary<Scenario> = fc.record({
  instances: fc.array(instancePlan, { minLength: 1, maxLength: 3 }),
  jobs: fc.array(jobPlan, { maxLength: 2 }),
  crashAfterCall: sometimes(fc.integer({ min: 1, max: MAX_GATE }), 3),
  stall: sometimes(gate, 5),
  quietAfterRun: fc.boolean(),
  secondRun: sometimes(gate, 3),
});
