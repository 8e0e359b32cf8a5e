import { TAG } from '../../core/tags.js';
import { instanceIdFor } from '../world/ec2.js';
import type { Instance, Job } from '../world/types.js';
import type { World } from '../world/world.js';

/** Runner states the report draws, in stacking order (issue 7). */
export const RUNNER_STATES = ['booting', 'idle', 'busy', 'between', 'retiring', 'quarantined'] as const;
export type RunnerState = (typeof RUNNER_STATES)[number];

/** One column per measure, one entry per sample: compact, and what the charts read. */
export interface Timeline {
  readonly startMs: number;
  /** Milliseconds since the start, per sample. */
  readonly atMs: number[];
  readonly runners: Record<RunnerState, number[]>;
  /** Jobs waiting in GitHub's queue. */
  readonly queued: number[];
  /** Cumulative. */
  readonly completed: number[];
  /** Cumulative: jobs killed by a control-plane action (accounting.ts counts the same causes). */
  readonly killed: number[];
  /** Cumulative: jobs lost to spot interruptions (not the control plane's doing). */
  readonly lostToSpot: number[];
  /** Instances pending or running. */
  readonly instances: number[];
}

export function emptyTimeline(startMs: number): Timeline {
  const runners = { booting: [], idle: [], busy: [], between: [], retiring: [], quarantined: [] };
  return { startMs, atMs: [], runners, queued: [], completed: [], killed: [], lostToSpot: [], instances: [] };
}

function alive(instance: Instance): boolean {
  return instance.state === 'pending' || instance.state === 'running';
}

/**
 * Records the world once per simulated minute (an engine event), reading state only.
 * It is incremental so a long run stays cheap: instances and jobs are found by their
 * sequential ids (`instanceIdFor`, `World.submitJob`), and only live instances and
 * unfinished jobs are rescanned.
 */
export class Sampler {
  readonly timeline: Timeline;
  private nextInstance = 0;
  private nextJob = 1;
  private live: Instance[] = [];
  private open: Job[] = [];
  private completed = 0;
  private killed = 0;
  private lostToSpot = 0;
  private stopped = false;

  constructor(
    private readonly world: World,
    private readonly endMs: number,
    private readonly stepMs = 60_000,
  ) {
    this.timeline = emptyTimeline(world.startMs);
  }

  /** Schedules the first sample now; each sample schedules the next until `endMs`. */
  start(): this {
    this.world.engine.at(this.world.now, 'report-sample', () => this.tick());
    return this;
  }

  /**
   * Replaces the last sample by a reading of the final state (events at exactly `endMs` may run
   * after the sample scheduled then), so the last point matches the accounting.
   */
  finish(): Timeline {
    this.stopped = true;
    const t = this.timeline;
    if (t.atMs.length > 0 && t.atMs[t.atMs.length - 1] === this.world.now - t.startMs) {
      for (const column of this.columns()) column.pop();
    }
    this.sample();
    return t;
  }

  private columns(): number[][] {
    const t = this.timeline;
    return [
      t.atMs,
      ...RUNNER_STATES.map((s) => t.runners[s]),
      t.queued,
      t.completed,
      t.killed,
      t.lostToSpot,
      t.instances,
    ];
  }

  private tick(): void {
    if (this.stopped) return;
    this.sample();
    const next = this.world.now + this.stepMs;
    if (next <= this.endMs) this.world.engine.at(next, 'report-sample', () => this.tick());
  }

  private sample(): void {
    const { world } = this;
    for (let instance = world.ec2.instances.get(instanceIdFor(this.nextInstance)); instance;) {
      this.live.push(instance);
      instance = world.ec2.instances.get(instanceIdFor(++this.nextInstance));
    }
    for (let job = world.github.jobs.get(this.nextJob); job; job = world.github.jobs.get(++this.nextJob)) {
      this.open.push(job);
    }
    const counts: Record<RunnerState, number> = {
      booting: 0,
      idle: 0,
      busy: 0,
      between: 0,
      retiring: 0,
      quarantined: 0,
    };
    this.live = this.live.filter(alive);
    for (const instance of this.live) counts[this.stateOf(instance)]++;
    this.open = this.open.filter((job) => {
      if (job.status === 'completed') this.completed++;
      else if (job.status === 'killed') {
        if (job.cause === 'spot') this.lostToSpot++;
        else this.killed++;
      } else return true;
      return false;
    });
    const t = this.timeline;
    t.atMs.push(world.now - t.startMs);
    for (const state of RUNNER_STATES) t.runners[state].push(counts[state]);
    t.queued.push(world.github.queuedJobs().length);
    t.completed.push(this.completed);
    t.killed.push(this.killed);
    t.lostToSpot.push(this.lostToSpot);
    t.instances.push(this.live.length);
  }

  /** A scale-down mark wins over what the runner does: the report shows what scale-down is doing. */
  private stateOf(instance: Instance): RunnerState {
    const lifecycle = instance.truth.get(TAG.lifecycle);
    if (lifecycle?.startsWith('quarantined')) return 'quarantined';
    if (lifecycle?.startsWith('retiring')) return 'retiring';
    if (!instance.everOnline) return 'booting';
    const host = this.world.hosts.hosts.get(instance.id);
    if (host?.job) return 'busy';
    return host?.runnerAlive ? 'idle' : 'between';
  }
}
