import type { ScaleDownConfig } from '../../../../src/config/schema.js';
import { TAG, decodeLifecycle, encodeAgentState } from '../../../../src/core/tags.js';
import type { Ec2Port, GitHubPort, RunnerOwner } from '../../../../src/ports/index.js';
import { InMemoryGitHub } from '../../../../src/sim/facades/github/index.js';
import { InMemoryEc2, InMemorySqs, InMemorySsm, ManualClock } from '../../../../src/sim/memory/index.js';
import type { Call } from '../../../../src/sim/ports/intercept.js';
import { MIN, ORG, REPO, T0 } from '../../world.js';
import { BOUNDS, instanceId, shortId, type JobPlan, type PoolName, type Scenario } from './model.js';

/** What GitHub's matcher sees of a runner: its custom labels and its runner group. */
export interface View {
  readonly labels: readonly string[];
  readonly group: number;
}

/** One job of the explorer's job table. */
export interface Job {
  readonly id: string;
  readonly pool: PoolName;
  readonly plan: Omit<JobPlan, 'pool' | 'arrives'> & { readonly arrives?: number };
  arrived: boolean;
  /** In GitHub's queue, not assigned yet. */
  queued: boolean;
  box?: Box;
  assignedAtMs?: number;
  startedAtMs?: number;
  endedAtMs?: number;
  killedBy?: string;
  inProgressSent: boolean;
  completedSent: boolean;
}

/** One instance: what truly runs on it, what its agent last wrote, and what GitHub's matcher sees. */
export interface Box {
  readonly id: string;
  readonly name: string;
  readonly pool: PoolName;
  readonly dies?: number;
  runnerId?: number;
  registered: boolean;
  runnerAlive: boolean;
  terminated: boolean;
  agentAlive: boolean;
  /** The job GitHub assigned to the runner, until it ends or is killed. */
  assigned?: Job;
  /** The job whose worker runs on the instance. */
  worker?: Job;
  stateSinceMs: number;
  written?: string;
  lastAck?: number;
  /** The agent's next write is due by then (it differs from what it last wrote). */
  agentDueMs?: number;
  /** The mark in `ghr:lifecycle`, as the agent reads it. */
  markMs?: number;
  actual: View;
  effective: View;
  /** Changes made at GitHub, not yet in effect for matching, oldest first. */
  views: { view: View; dueMs: number }[];
  deletedAtMs?: number;
}

/**
 * The fleet's truth, beside the doubles the control plane sees: runners, agents, jobs and GitHub's
 * matching view, and how they react to the control plane's calls. A job is killed when its
 * runner's registration is deleted or its instance terminated while the job is assigned: in this
 * world GitHub's REST `busy` stays false and a DELETE is never refused (guard (b) is absent).
 */
export class Fleet {
  readonly clock = new ManualClock(T0);
  readonly github = new InMemoryGitHub(this.clock);
  readonly ec2 = new InMemoryEc2(this.clock);
  readonly ssm = new InMemorySsm(this.clock);
  readonly sqs = new InMemorySqs(this.clock);
  readonly boxes: Box[] = [];
  readonly jobs: Job[] = [];
  readonly kills: string[] = [];
  readonly errors: unknown[] = [];
  /** What this order went through (for the coverage tally the test prints). */
  readonly notes = new Set<string>();
  private readonly byRunnerId = new Map<number, Box>();

  constructor(
    readonly scenario: Scenario,
    readonly config: ScaleDownConfig,
  ) {}

  get maxJobMs(): number {
    return this.config.pools['repo']!.maxJobDurationMinutes * MIN;
  }

  get ttlMs(): number {
    return this.config.lease.ttlSeconds * 1000;
  }

  async setup(): Promise<void> {
    for (const queue of Object.values(this.config.pools)) this.sqs.createQueue(queue.queueUrl);
    for (const [index, plan] of this.scenario.instances.entries()) {
      const id = instanceId(index);
      const launchTimeMs = T0 - 30 * MIN;
      const home = this.home(plan.pool);
      const tags = {
        [TAG.environment]: 'test',
        [TAG.pool]: plan.pool,
        [TAG.owner]: plan.pool === 'repo' ? 'acme/app' : 'acme',
        [TAG.type]: plan.pool === 'repo' ? 'Repo' : 'Org',
      };
      this.ec2.addInstance({ instanceId: id, launchTimeMs, tags });
      const orphan = plan.start === 'orphan';
      const box: Box = {
        id,
        name: shortId(id),
        pool: plan.pool,
        ...(plan.agentDies === undefined ? {} : { dies: plan.agentDies }),
        registered: !orphan,
        runnerAlive: !orphan,
        terminated: false,
        agentAlive: !orphan && plan.start !== 'silent',
        stateSinceMs: launchTimeMs + MIN,
        actual: home,
        effective: home,
        views: [],
      };
      this.boxes.push(box);
      if (!orphan) {
        const owner = this.owner(plan.pool);
        const request = { name: id, labels: [...home.labels], runnerGroupId: 1 };
        const { runnerId } = await this.github.generateJitConfig(owner, request);
        this.github.setStatus(runnerId, 'online');
        box.runnerId = runnerId;
        this.byRunnerId.set(runnerId, box);
      }
      if (plan.start === 'busy' && plan.job !== undefined) {
        // A job assigned and started half a minute ago, reported by the agent.
        const startedAtMs = T0 - 30_000;
        const job = this.addJob(`${index + 1}`, plan.pool, plan.job);
        Object.assign(job, { arrived: true, box, assignedAtMs: startedAtMs, startedAtMs });
        Object.assign(box, { assigned: job, worker: job, stateSinceMs: startedAtMs });
      }
      if (box.agentAlive) this.agentWrites(box);
    }
    for (const [index, plan] of this.scenario.jobs.entries()) this.addJob(`${index + 11}`, plan.pool, plan);
  }

  private addJob(id: string, pool: PoolName, plan: Job['plan']): Job {
    const job: Job = { id, pool, plan, arrived: false, queued: false, inProgressSent: false, completedSent: false };
    this.jobs.push(job);
    return job;
  }

  owner(pool: PoolName): RunnerOwner {
    return pool === 'repo' ? REPO : ORG;
  }

  /** The pool's labels and group: what its runners are registered with, and restored to. */
  home(pool: PoolName): View {
    const config = this.config.pools[pool]!;
    return { labels: config.labels, group: pool === 'org' ? config.runnerGroupId : 1 };
  }

  // ---- the agent (agent/ghr-agent.sh, as world-model.md describes it) ---------------------------

  /** What the agent would write now: its runner's current state, echoing the mark it sees (or last acknowledged). */
  agentValue(box: Box): string | undefined {
    if (!box.agentAlive || box.terminated) return undefined;
    const state = box.worker !== undefined ? 'busy' : box.runnerAlive ? 'idle' : 'exited';
    const ackMarkMs = box.markMs ?? box.lastAck;
    return encodeAgentState({
      state,
      ...(box.worker === undefined ? {} : { jobId: box.worker.id }),
      atMs: box.stateSinceMs,
      ...(ackMarkMs === undefined ? {} : { ackMarkMs }),
    });
  }

  /** Something the agent sees changed: its write is due within `boundMs`, unless it has nothing new to say. */
  touch(box: Box, boundMs: number): void {
    if (this.agentValue(box) === box.written) {
      delete box.agentDueMs;
      return;
    }
    box.agentDueMs = Math.min(box.agentDueMs ?? Infinity, this.clock.now() + boundMs);
  }

  /** One state write (synchronous: the double's write happens before its promise settles). */
  agentWrites(box: Box): void {
    const value = this.agentValue(box);
    if (value === undefined) return;
    void this.ec2.createTags([box.id], { [TAG.agentState]: value }).catch((error) => this.errors.push(error));
    box.written = value;
    box.lastAck = box.markMs ?? box.lastAck;
    delete box.agentDueMs;
  }

  /** The runner's state changed (a worker started or ended, the listener exited). */
  runnerChanged(box: Box): void {
    box.stateSinceMs = this.clock.now();
    this.touch(box, BOUNDS.agentWriteMs);
  }

  kill(box: Box, cause: string): void {
    const job = box.assigned;
    if (job !== undefined && job.endedAtMs === undefined && job.killedBy === undefined) {
      job.killedBy = cause;
      const at = (this.clock.now() - T0) / 1000;
      this.kills.push(`job ${job.id} on ${box.name} killed by ${cause} at T0+${at}s`);
    }
    delete box.assigned;
    if (box.worker !== undefined) {
      delete box.worker;
      this.runnerChanged(box);
    }
  }

  // ---- reactions to the control plane's calls (after they took effect) ------------------------

  reactGitHub(call: Call<GitHubPort>): void {
    if (call.name === 'setCustomLabels') this.changeView(call.args[1], { labels: [...call.args[2]] });
    if (call.name === 'addRunnerToGroup') this.changeView(call.args[2], { group: call.args[1] });
    if (call.name === 'deleteRunner') {
      const box = this.byRunnerId.get(call.args[1]);
      if (box === undefined) return;
      box.registered = false;
      box.deletedAtMs = this.clock.now();
      this.kill(box, 'DELETE');
    }
  }

  /** A label or group change made at GitHub: in effect for matching once propagated (events.ts). */
  private changeView(runnerId: number, change: Partial<View>): void {
    const box = this.byRunnerId.get(runnerId);
    if (box === undefined) return;
    box.actual = { ...box.actual, ...change };
    box.views.push({ view: box.actual, dueMs: this.clock.now() + BOUNDS.propagationMs });
  }

  reactEc2(call: Call<Ec2Port>): void {
    const boxes = (ids: readonly string[]) => this.boxes.filter((box) => ids.includes(box.id));
    if (call.name === 'createTags' && call.args[1][TAG.lifecycle] !== undefined) {
      const markMs = decodeLifecycle(call.args[1][TAG.lifecycle])?.markMs;
      for (const box of boxes(call.args[0])) {
        if (markMs === undefined) delete box.markMs;
        else box.markMs = markMs;
        this.touch(box, BOUNDS.agentAckMs);
      }
    }
    if (call.name === 'deleteTags' && call.args[1].includes(TAG.lifecycle)) {
      this.notes.add('a candidate given back to its pool');
      for (const box of boxes(call.args[0])) {
        delete box.markMs;
        this.touch(box, BOUNDS.agentAckMs);
      }
    }
    if (call.name === 'terminateInstances') {
      for (const box of boxes(call.args[0])) {
        this.kill(box, 'TerminateInstances');
        Object.assign(box, { terminated: true, runnerAlive: false, agentAlive: false, views: [] });
        delete box.agentDueMs;
        if (box.registered && box.runnerId !== undefined) this.github.setStatus(box.runnerId, 'offline');
      }
    }
  }
}
