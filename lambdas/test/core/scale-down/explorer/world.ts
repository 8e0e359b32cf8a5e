import type fc from 'fast-check';
import type { ScaleDownConfig } from '../../../../src/config/schema.js';
import { runScaleDown } from '../../../../src/core/scale-down/index.js';
import type { ScaleDownContext } from '../../../../src/core/strategy.js';
import type { Log, Metrics } from '../../../../src/observability/types.js';
import type { Ec2Port, GitHubPort, Ports, SqsPort, SsmPort } from '../../../../src/ports/index.js';
import { intercept, type Call } from '../../../../src/sim/ports/intercept.js';
import { enabledEvents, type WorldEvent } from './events.js';
import { Fleet } from './fleet.js';
import { Crash, type Scenario } from './model.js';

export type { Box, Job, View } from './fleet.js';

/** What the explorer needs of a scheduler: fast-check's, or a scripted one (scripted.ts). */
export type TaskScheduler = Pick<fc.Scheduler, 'schedule' | 'count' | 'waitOne'>;

/** One scale-down run and how the exploration treats it. */
export interface RunHandle {
  readonly name: string;
  /** Every port call is a point where the scheduler may let the world move first. */
  readonly scheduled: boolean;
  readonly crashAfterCall?: number;
  calls: number;
  dead: boolean;
  stallArmed: boolean;
  ended: boolean;
  /** Anything but a `Crash`: a bug in the control plane (or in the explorer). */
  error?: unknown;
  done: Promise<void>;
}

const quietLog: Log = { debug() {}, info() {}, warn() {}, error() {} };
const quietMetrics: Metrics = { count() {} };

/** A bound on the microtask turns between two scheduling points: a count, never a time. */
const MAX_SPINS = 100_000;

/**
 * The world around the real control plane for one explored order: the fleet (fleet.ts), each run's
 * ports wrapped by `intercept` (a scheduling point before every call; the world's reactions and the
 * crash after it), and the world's events (events.ts), each a task of fast-check's scheduler.
 *
 * The scheduler picks the next task only when every process (run or event) is blocked at a
 * scheduling point: `busy` counts those that are not, so every pick chooses among everything that
 * could happen next, and the order depends on the scheduler's choices alone.
 */
export class ExplorerWorld extends Fleet {
  readonly runs: RunHandle[] = [];
  /** The labels of what happened, in order: the explored interleaving (forced events start with `!`). */
  readonly trace: string[] = [];
  /** One-shot events that happened (a stall, a quiet lease TTL, the second run). */
  readonly used = new Set<string>();
  private readonly pending = new Set<string>();
  private busy = 0;
  /** Every task is released through this: its process runs again. */
  private readonly wake: fc.SchedulerAct = (release) => {
    this.busy += 1;
    return release();
  };

  constructor(
    scenario: Scenario,
    config: ScaleDownConfig,
    private readonly scheduler?: TaskScheduler,
  ) {
    super(scenario, config);
  }

  get first(): RunHandle | undefined {
    return this.runs[0];
  }

  /** A gate (model.ts) is open once the first run made that many calls, or ended. */
  gateOpen(gate: number): boolean {
    const first = this.first;
    return first !== undefined && (first.calls >= gate || first.ended);
  }

  /** Lets the scheduler release tasks, one whenever everything is blocked, until nothing is left. */
  async drive(): Promise<void> {
    const scheduler = this.scheduler;
    if (scheduler === undefined) throw new Error('nothing to drive: this world has no scheduler');
    for (;;) {
      for (let spins = 0; this.busy > 0; spins += 1) {
        if (spins === MAX_SPINS) throw new Error(`no scheduling point reached:\n${this.trace.join('\n')}`);
        await Promise.resolve();
      }
      this.refresh();
      if (scheduler.count() === 0) return;
      await scheduler.waitOne();
    }
  }

  /**
   * Moves the clock to `targetMs`; every reaction due by then happens first, at its bound, earliest
   * first (forced: the scheduler left it pending that long). Synchronous, so a run's clock read can stall.
   */
  advanceTo(targetMs: number): void {
    for (;;) {
      let next: WorldEvent | undefined;
      for (const event of enabledEvents(this, true)) {
        if (event.dueMs !== undefined && event.dueMs <= targetMs && (next?.dueMs ?? Infinity) > event.dueMs)
          next = event;
      }
      if (next?.dueMs === undefined) break;
      if (next.dueMs > this.clock.now()) this.clock.advance(next.dueMs - this.clock.now());
      this.trace.push(`!${next.key}`);
      next.fire();
    }
    if (targetMs > this.clock.now()) this.clock.advance(targetMs - this.clock.now());
  }

  /**
   * Gives the scheduler a task for every event that may happen now and has none yet. Called whenever
   * every process is blocked, right before the scheduler picks: that is when it matters.
   */
  refresh(): void {
    if (this.scheduler === undefined) return;
    for (const event of enabledEvents(this, false)) {
      if (this.pending.has(event.key)) continue;
      this.pending.add(event.key);
      void this.scheduler
        .schedule(Promise.resolve(), event.key, undefined, this.wake)
        .then(() => this.release(event.key));
    }
  }

  /** The scheduler picked `key`: it happens now if it still may (otherwise nothing happened). */
  private async release(key: string): Promise<void> {
    this.pending.delete(key);
    const event = enabledEvents(this, false).find((e) => e.key === key);
    try {
      if (event !== undefined) {
        this.trace.push(key);
        await event.fire();
      }
    } catch (error) {
      this.errors.push(error);
    }
    this.busy -= 1;
  }

  // ---- scale-down runs --------------------------------------------------------------------------

  startRun(name: string, scheduled: boolean, crashAfterCall?: number): RunHandle {
    const run: RunHandle = {
      name,
      scheduled,
      ...(crashAfterCall === undefined ? {} : { crashAfterCall }),
      calls: 0,
      dead: false,
      stallArmed: false,
      ended: false,
      done: Promise.resolve(),
    };
    this.runs.push(run);
    const context: ScaleDownContext = {
      ports: this.portsFor(run),
      config: this.config,
      log: quietLog,
      metrics: quietMetrics,
    };
    this.busy += 1;
    run.done = runScaleDown(context, { holder: name })
      .then(
        () => undefined,
        (error: unknown) => {
          if (!(error instanceof Crash)) run.error = error;
        },
      )
      .finally(() => {
        run.ended = true;
        this.busy -= 1;
      });
    return run;
  }

  private portsFor(run: RunHandle): Ports {
    if (!run.scheduled) return this.plainPorts();
    const wrap = <P extends object>(port: string, target: P, react: (call: Call<P>) => void): P => {
      const spy = intercept<P>(target);
      const indexes = new WeakMap<object, number>();
      spy.before('*', async (call) => {
        indexes.set(call, await this.enter(run, `${port}.${call.name}`));
      });
      spy.after('*', (call) => {
        react(call);
        this.leave(run, indexes.get(call));
      });
      return spy.port;
    };
    return {
      github: wrap<GitHubPort>('github', this.github, (call) => this.reactGitHub(call)),
      ec2: wrap<Ec2Port>('ec2', this.ec2, (call) => this.reactEc2(call)),
      ssm: wrap<SsmPort>('ssm', this.ssm, () => undefined),
      sqs: wrap<SqsPort>('sqs', this.sqs, () => undefined),
      clock: {
        now: () => {
          if (run.stallArmed) {
            // The run stalls here, between two calls, past its lease; the world goes on meanwhile.
            run.stallArmed = false;
            this.trace.push(`${run.name} stalls`);
            this.advanceTo(this.clock.now() + this.ttlMs);
          }
          return this.clock.now();
        },
        sleep: async (ms) => {
          const targetMs = this.clock.now() + ms;
          const index = await this.enter(run, 'sleep');
          this.advanceTo(targetMs);
          this.leave(run, index);
        },
      },
    };
  }

  /**
   * The ports of a run nobody interleaves (the later runs once the events are exhausted): the world
   * still reacts to the calls that change it, and its reactions due meanwhile happen as time passes.
   */
  private plainPorts(): Ports {
    const github = intercept<GitHubPort>(this.github);
    github.after(['setCustomLabels', 'addRunnerToGroup', 'deleteRunner'], (call) => this.reactGitHub(call));
    const ec2 = intercept<Ec2Port>(this.ec2);
    ec2.after(['createTags', 'deleteTags', 'terminateInstances'], (call) => this.reactEc2(call));
    return {
      github: github.port,
      ec2: ec2.port,
      ssm: this.ssm,
      sqs: this.sqs,
      clock: { now: () => this.clock.now(), sleep: async (ms) => this.advanceTo(this.clock.now() + ms) },
    };
  }

  /** Before a call: the scheduling point. A run that crashed makes no further call. */
  private async enter(run: RunHandle, label: string): Promise<number> {
    if (run.scheduled && this.scheduler !== undefined) {
      this.busy -= 1;
      await this.scheduler.schedule(Promise.resolve(), `${run.name} ${label}`, undefined, this.wake);
    }
    if (run.dead) throw new Crash(`${run.name} crashed before this call`);
    run.calls += 1;
    if (run.scheduled) this.trace.push(`${run.name} ${label}`);
    return run.calls;
  }

  /** After a call took effect (and the world reacted): the crash, when this is the run's crash point. */
  private leave(run: RunHandle, index: number | undefined): void {
    if (index === undefined || index !== run.crashAfterCall) return;
    run.dead = true;
    this.notes.add('a run crashed');
    this.trace.push(`${run.name} crashes`);
    throw new Crash(`${run.name} crashes after call ${index}`);
  }
}
