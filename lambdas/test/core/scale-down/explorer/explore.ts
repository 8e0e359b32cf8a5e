import { createHash } from 'node:crypto';
import type { ScaleDownConfig } from '../../../../src/config/schema.js';
import { BOUND_MARGIN_MS } from '../../../../src/core/scale-down/verdict.js';
import { TAG } from '../../../../src/core/tags.js';
import { MIN } from '../../world.js';
import type { Scenario } from './model.js';
import { ExplorerWorld, type TaskScheduler } from './world.js';

/** The scale-down schedule of the module's default (EventBridge Scheduler, `rate(5 minutes)`). */
export const SCHEDULE_MS = 5 * MIN;

export interface Outcome {
  /** The explored interleaving: the labels of the runs' calls and the world's events, in order. */
  readonly trace: readonly string[];
  /** S1: jobs killed by the control plane (deregistered or terminated while they ran). */
  readonly kills: readonly string[];
  /** S2: instances still running, without a job, after the later runs. */
  readonly leaks: readonly string[];
  /** Errors other than the injected crashes: a bug. */
  readonly errors: readonly string[];
  /** What this order went through (fleet.ts `notes`). */
  readonly notes: ReadonlySet<string>;
}

/**
 * One explored order. The first run (and whatever the scenario adds: a crash, a stall, a second
 * run) runs with a scheduling point before every port call, and the scheduler interleaves the
 * world's events between them. When nothing is left to happen, the exploration's events are
 * exhausted: queued jobs no runner took are served elsewhere (scale-up), and scale-down runs on
 * its schedule, the world reacting within its bounds, until past the retirement bound of any
 * quarantine those runs may make.
 */
export async function explore(scenario: Scenario, scheduler: TaskScheduler, config: ScaleDownConfig): Promise<Outcome> {
  const world = new ExplorerWorld(scenario, config, scheduler);
  await world.setup();
  world.startRun('R1', true, scenario.crashAfterCall);
  await world.drive();
  const trace = [...world.trace];

  for (const job of world.jobs) job.queued = false;
  for (const pool of Object.values(config.pools)) await purge(world, pool.queueUrl);
  const horizonMs =
    world.clock.now() + world.ttlMs + config.settleSeconds * 1000 + world.maxJobMs + BOUND_MARGIN_MS + 3 * SCHEDULE_MS;
  for (let n = 1; world.boxes.some((box) => !ended(box)) && world.clock.now() < horizonMs; n += 1) {
    world.advanceTo(world.clock.now() + SCHEDULE_MS);
    await world.startRun(`D${n}`, false).done;
  }

  const leaks: string[] = [];
  for (const box of world.boxes) {
    if (ended(box)) continue;
    const [instance] = await world.ec2.listInstances({ instanceIds: [box.id] });
    const tags = instance?.tags ?? {};
    leaks.push(
      `${box.name} ${instance?.state}: lifecycle ${tags[TAG.lifecycle]}, agent ${tags[TAG.agentState]}, ` +
        `evidence ${tags[TAG.jobEvidence]}, registered ${box.registered}, agent alive ${box.agentAlive}`,
    );
  }
  const errors = [...world.errors, ...world.runs.flatMap((run) => (run.error === undefined ? [] : [run.error]))];
  return {
    trace,
    kills: world.kills,
    leaks,
    notes: world.notes,
    errors: errors.map((error) => (error instanceof Error ? (error.stack ?? error.message) : String(error))),
  };
}

/** What went wrong in an explored order, with the order; undefined when S1 and S2 hold. */
export function describeViolation(outcome: Outcome): string | undefined {
  const { kills, leaks, errors, trace } = outcome;
  if (kills.length + leaks.length + errors.length === 0) return undefined;
  return [
    ...kills.map((kill) => `S1 violated: ${kill}`),
    ...leaks.map((leak) => `S2 violated: ${leak}`),
    ...errors.map((error) => `error: ${error}`),
    'order (! = forced by a world-model bound):',
    ...trace.map((label) => `  ${label}`),
  ].join('\n');
}

/** S2: an instance ends terminated, or running a job (which ends by itself). */
function ended(box: ExplorerWorld['boxes'][number]): boolean {
  return box.terminated || box.assigned !== undefined;
}

async function purge(world: ExplorerWorld, queueUrl: string): Promise<void> {
  for (const message of await world.sqs.receiveMessages(queueUrl, { maxMessages: 10 })) {
    await world.sqs.deleteMessage(queueUrl, message.receiptHandle);
  }
}

/** A 48-bit digest of a trace: a set of a million explored orders stays a set of numbers, with negligible collisions. */
export function hashTrace(trace: readonly string[]): number {
  return createHash('sha1').update(trace.join('\n')).digest().readUIntBE(0, 6);
}
