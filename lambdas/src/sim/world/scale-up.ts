import { TAG } from '../../core/tags.js';
import type { CallCounters } from '../ports/counters.js';
import type { WorldContext } from './context.js';
import type { Ec2World } from './ec2.js';
import type { GitHubWorld, WebhookDelivery } from './github.js';
import type { GitHubRest } from './github-rest.js';
import type { Host, HostModel } from './host.js';
import { APPLICATION, type PoolSpec } from './pools.js';
import type { Instance, Job } from './types.js';

/**
 * A modelled scale-up until the real Lambda runs in the simulator: on each `queued` webhook
 * it launches one instance for a job still queued, up to the pool maximum (JIT pools get
 * their registration at launch); it answers a reusable instance's recycle request with a
 * fresh JIT registration while jobs wait, or terminates the instance when it is surplus.
 */
export class ModelledScaleUp {
  constructor(
    private readonly ctx: WorldContext,
    private readonly environment: string,
    private readonly pools: ReadonlyMap<string, PoolSpec>,
    private readonly github: GitHubWorld,
    private readonly rest: GitHubRest,
    private readonly ec2: Ec2World,
    private readonly hosts: HostModel,
    private readonly counters: CallCounters,
  ) {}

  liveCount(pool: string): number {
    let n = 0;
    for (const host of this.hosts.hosts.values()) {
      const state = host.instance.state;
      if (host.pool.name === pool && (state === 'pending' || state === 'running')) n++;
    }
    return n;
  }

  /** Jobs seen queued while their pool was at its maximum: retried when capacity frees up (upstream's job retry). */
  private readonly backlog = new Map<string, Job[]>();

  onWebhook(delivery: WebhookDelivery, job: Job): void {
    if (delivery.action !== 'queued' || job.pool === undefined || job.status !== 'queued') return;
    const pool = this.pools.get(job.pool);
    if (!pool) return;
    if (this.liveCount(pool.name) < pool.config.maxRunners) {
      this.launch(pool);
      return;
    }
    const backlog = this.backlog.get(pool.name) ?? [];
    backlog.push(job);
    this.backlog.set(pool.name, backlog);
  }

  /** An instance of the pool is going: launch for a backlogged job that still waits. */
  onCapacityFreed(poolName: string): void {
    const backlog = this.backlog.get(poolName);
    const pool = this.pools.get(poolName);
    if (!backlog || !pool) return;
    while (backlog.length > 0 && this.liveCount(poolName) < pool.config.maxRunners) {
      const job = backlog.shift()!;
      if (job.status === 'queued') this.launch(pool);
    }
  }

  launch(pool: PoolSpec): Instance {
    this.counters.awsCall('CreateFleet');
    const instance = this.ec2.launch({
      pool: pool.name,
      instanceType: pool.config.instanceTypes[0] ?? 'm5.large',
      lifecycle: pool.config.capacityType,
      tags: {
        [TAG.environment]: this.environment,
        [TAG.application]: APPLICATION,
        [TAG.owner]: pool.config.owner,
        [TAG.type]: pool.owner.kind === 'org' ? 'Org' : 'Repo',
        [TAG.pool]: pool.name,
      },
    });
    this.hosts.add(instance, pool);
    if (pool.registration === 'jit') this.registerJit(pool, instance);
    return instance;
  }

  private registerJit(pool: PoolSpec, instance: Instance): void {
    const endpoint =
      pool.owner.kind === 'org'
        ? 'POST /orgs/{org}/actions/runners/generate-jitconfig'
        : 'POST /repos/{owner}/{repo}/actions/runners/generate-jitconfig';
    let runnerId: number;
    try {
      this.counters.githubCall(pool.config.owner, endpoint, true);
      runnerId = this.rest.generateJitConfig(pool.owner, {
        name: instance.id,
        labels: pool.config.labels,
        runnerGroupId: pool.config.runnerGroupId,
      }).runnerId;
    } catch (error) {
      // Rate limited or refused: the instance boots without a config and ends as an orphan.
      this.ctx.record('scaleUp.jit.failed', {
        instance: instance.id,
        error: error instanceof Error ? error.name : 'unknown',
      });
      return;
    }
    this.counters.awsCall('CreateTags');
    this.ec2.writeTags(instance, { [TAG.runnerId]: String(runnerId) }, 'scale-up');
  }

  /** A reusable instance's runner exited after its JIT job: new registration, or terminate if surplus. */
  onRecycleRequest(host: Host): void {
    this.counters.awsCall('SendMessage');
    const delay = this.ctx.drawMs('scaleUp.recycle', [1, 5]);
    this.ctx.engine.after(delay, 'recycle', () => {
      if (host.instance.state !== 'running') return;
      // Scale-up never touches a retiring instance: scale-down alone decides its fate (architecture.md §3, one writer).
      if (this.ec2.readTags(host.instance)[TAG.lifecycle] !== undefined) {
        this.ctx.record('scaleUp.recycle.retiring', { instance: host.instance.id });
        return;
      }
      const pool = host.pool;
      const waiting = this.github.queuedJobs().filter((job) => job.pool === pool.name).length;
      let idle = 0;
      for (const r of this.github.registrations.values()) {
        const h = this.hosts.hosts.get(r.instanceId);
        if (h?.pool.name === pool.name && r.online && r.jobId === undefined && !r.deleted) idle++;
      }
      if (waiting <= idle) {
        this.ctx.record('scaleUp.recycle.surplus', { instance: host.instance.id });
        this.counters.awsCall('TerminateInstances');
        this.ec2.terminate(host.instance, 'control-plane');
        return;
      }
      this.registerJit(pool, host.instance);
      const start = this.ctx.drawMs('runner.reconfigure', this.ctx.params.runner.reconfigureSeconds);
      this.ctx.engine.after(start, 'reconfigure', () => this.hosts.startRunner(host));
    });
  }
}
