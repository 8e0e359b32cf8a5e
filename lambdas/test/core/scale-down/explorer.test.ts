import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { budget } from '../../support/budget.js';
import { describeViolation, explore, hashTrace } from './explorer/explore.js';
import { explorerConfig, type Scenario } from './explorer/model.js';
import { scenarioArbitrary } from './explorer/scenario.js';
import { ScriptedScheduler } from './explorer/scripted.js';

/**
 * Issue 13: an interleaving explorer for the retirement protocol. The real planner, verdict and
 * executor (`runScaleDown`) run over the in-memory doubles against a modelled world — agents that
 * answer marks, write their state and may die; GitHub assigning queued jobs to runners whose
 * quarantine has not taken effect yet; webhooks lost or late; jobs ending; runs that crash after any
 * call, stall past their lease, or overlap a second run; demand arriving while a run waits — in a
 * world where guard (b) is absent (long-lived registrations: a DELETE is never refused and GitHub's
 * REST `busy` stays false), so every step of the protocol is needed. Every reaction of the world
 * happens within its world-model bound (explorer/model.ts `BOUNDS`); everything else is in any order.
 *
 * Why `fc.scheduler` rather than `fc.commands`: the protocol is one long asynchronous run (it waits
 * out its settle period inside itself), and what matters is which world event lands between which
 * two of its port calls. Commands run one after another, so the run would have to be cut into
 * commands by hand, i.e. re-implemented; the scheduler takes the real run as it is, with a scheduling
 * point before every port call, and a failing order shrinks to a short schedule that fast-check
 * prints task by task.
 *
 * Budgets are counts of distinct explored orders (test/support/budget.ts), never a time.
 */
const DISTINCT_ORDERS = budget(100_000, 1_000_000, 2_000);
/** fast-check runs per round; rounds go on (new seeds) until the distinct orders reach the target. */
const ROUND = budget(10_000, 50_000, 1_000);
const SEED = 20261207;

describe('the retirement protocol in every explored order (guard b absent)', () => {
  test(`S1 no job killed and S2 nothing leaked, over at least ${DISTINCT_ORDERS} distinct interleavings`, async () => {
    // Arrange
    const config = explorerConfig();
    const explored = new Set<number>();
    const coverage = new Map<string, number>();
    let runs = 0;
    const property = fc.asyncProperty(scenarioArbitrary, fc.scheduler(), async (scenario, scheduler) => {
      const outcome = await explore(scenario, scheduler, config);
      runs += 1;
      explored.add(hashTrace(outcome.trace));
      for (const note of outcome.notes) coverage.set(note, (coverage.get(note) ?? 0) + 1);
      const violation = describeViolation(outcome);
      if (violation !== undefined) throw new Error(violation);
    });
    // Act: rounds of fixed seeds until enough distinct orders were explored (a bounded number of rounds)
    const maxRounds = 2 * Math.ceil(DISTINCT_ORDERS / ROUND);
    for (let round = 0; explored.size < DISTINCT_ORDERS && round < maxRounds; round += 1) {
      await fc.assert(property, { numRuns: ROUND, seed: SEED + round });
    }
    // Assert
    const tally = [...coverage].map(([note, n]) => `  ${note}: ${n}`).join('\n');
    console.log(`explored ${explored.size} distinct interleavings in ${runs} runs; orders with\n${tally}`);
    expect(explored.size).toBeGreaterThanOrEqual(DISTINCT_ORDERS);
  });
});

describe('orders the explorer found, replayed', () => {
  const lost = { inProgressHook: 'lost', completedHook: 'lost' } as const;

  // Before: the re-check trusted an `idle` that answered the first mark, made before the quarantine
  // took effect. The agent answered, a job was assigned while the quarantine propagated, the agent
  // died before it saw the job, the webhook was lost: the DELETE cancelled the job.
  test('an agent that dies right after answering, while a job slips in: the job is not killed', async () => {
    // Arrange
    const scenario: Scenario = {
      instances: [{ pool: 'repo', start: 'idle', agentDies: 0 }],
      jobs: [{ pool: 'repo', arrives: 0, ends: 0, ...lost }],
    };
    const order = new ScriptedScheduler([
      'R1 ec2.createTags', // the mark
      'agent i1', // the agent answers it: idle
      'R1 github.setCustomLabels', // the quarantine, not in effect yet
      'queue 11',
      'assign 11>i1',
      'dies i1',
      'start 11',
    ]);
    // Act
    const outcome = await explore(scenario, order, explorerConfig());
    // Assert
    expect(order.finished).toBe(true);
    expect(outcome.notes).toContain('an agent died after its answer');
    expect(describeViolation(outcome)).toBeUndefined();
  });

  // Before: an online runner whose agent never wrote a state read as busy forever.
  test('a runner whose agent died at boot is retired by the backstop', async () => {
    // Arrange
    const scenario: Scenario = { instances: [{ pool: 'org', start: 'silent' }], jobs: [] };
    // Act
    const outcome = await explore(scenario, new ScriptedScheduler([]), explorerConfig());
    // Assert
    expect(describeViolation(outcome)).toBeUndefined();
  });
});
