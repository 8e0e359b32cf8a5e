import { decodeAgentState, encodeAgentState, TAG } from '../../../core/tags.js';
import type { WorldContext } from '../context.js';
import type { Ec2World } from '../ec2.js';
import type { GitHubWorld } from '../github.js';
import type { Host } from '../host.js';
import type { PoolSpec } from '../pools.js';
import type { SqsWorld } from '../sqs.js';
import type { SsmWorld } from '../ssm.js';
import type { Registration } from '../types.js';
import { attackRound, forgeTag, type AttackWorld, type ForgedRecycle } from './attacks.js';
import { emptyCounts, type HostileCounts } from './counts.js';
import type { RunnerPrincipal } from './iam.js';
import type { HostileParams, Tactic } from './params.js';

/** What the deployment renders into the runner role (modules/runner-pool/iam.tf's inputs). */
export interface RunnerRoleSettings {
  readonly instanceArnPrefix: string;
  readonly fleetParameterPath: string;
  readonly githubParameters: readonly string[];
}

export interface HostileWorld {
  readonly ctx: WorldContext;
  readonly params: HostileParams;
  readonly environment: string;
  readonly ec2: Ec2World;
  readonly ssm: SsmWorld;
  readonly sqs: SqsWorld;
  readonly github: GitHubWorld;
  readonly pools: ReadonlyMap<string, PoolSpec>;
  readonly runnerConfigPath: string;
  readonly role: RunnerRoleSettings;
  readonly awsCall: (action: string) => void;
  /** Whether the instance is due a fresh registration: its agent waits for one, or a job consumed its current one. */
  readonly waitingForRegistration: (instanceId: string) => boolean;
}

/** A registration made while its instance already held a live one: a second job for one instance. */
export interface ExtraRegistration {
  readonly instanceId: string;
  readonly hostile: boolean;
  readonly atMs: number;
}

/**
 * The attackers of the `hostile-runner` scenario (issue 14): a share of the launched instances,
 * drawn at launch, whose first job takes root and keeps it. From then on that instance lies in its
 * agent tag by one tactic, never shuts itself down, and every few minutes tries everything else the
 * instance profile might allow (attacks.ts). Besides the attempts it observes what the control
 * plane did about them: launches past a pool's maximum and registrations an instance should not get.
 */
export class HostileModel {
  readonly counts: HostileCounts = emptyCounts();
  /** Instance id → tactic, for every instance drawn hostile (active once its first job ran). */
  readonly tactics = new Map<string, Tactic>();
  readonly forgedRecycles: ForgedRecycle[] = [];
  readonly extraRegistrations: ExtraRegistration[] = [];
  /** Per pool, the most instances pending or running right after a launch. */
  readonly maxLive = new Map<string, number>();
  launchesOverMax = 0;
  private readonly attackWorld: AttackWorld;

  constructor(private readonly w: HostileWorld) {
    this.attackWorld = {
      ctx: w.ctx,
      ec2: w.ec2,
      ssm: w.ssm,
      sqs: w.sqs,
      pools: w.pools,
      runnerConfigPath: w.runnerConfigPath,
      counts: this.counts,
      forgedRecycles: this.forgedRecycles,
      arnOf: (id) => `${w.role.instanceArnPrefix}${id}`,
      awsCall: w.awsCall,
    };
  }

  /** An instance was launched: the pool's maximum is checked, and the seeded draw makes it hostile or not. */
  launched(host: Host): void {
    const pool = host.pool;
    const live = this.w.ec2.live().filter((i) => i.pool === pool.name).length;
    this.maxLive.set(pool.name, Math.max(this.maxLive.get(pool.name) ?? 0, live));
    if (live > pool.config.maxRunners) this.launchesOverMax++;
    const rng = this.w.ctx.rng('hostile.pick');
    if (!rng.chance(this.w.params.share)) return;
    this.tactics.set(host.instance.id, rng.pick(this.w.params.tactics));
  }

  /**
   * The agent is about to write `honest`: a hostile instance writes its lie instead. The first
   * `busy` of a drawn instance is its first job starting: root from here on.
   */
  forge(host: Host, honest: string): string | undefined {
    const tactic = this.tactics.get(host.instance.id);
    if (tactic === undefined) return undefined;
    const state = decodeAgentState(honest);
    if (!host.hostile) {
      if (state?.state !== 'busy') return undefined;
      this.activate(host, tactic);
    }
    const forged = this.lie(host, tactic, state);
    if (forged !== honest) this.counts.forgedTags.byTactic[tactic] = (this.counts.forgedTags.byTactic[tactic] ?? 0) + 1;
    return forged;
  }

  private lie(host: Host, tactic: Tactic, honest: ReturnType<typeof decodeAgentState>): string {
    const now = this.w.ctx.now;
    const ack = host.agent.ackMarkMs === undefined ? {} : { ackMarkMs: host.agent.ackMarkMs };
    const jobId = host.job === undefined ? 'x' : String(host.job.id);
    switch (tactic) {
      case 'future-busy':
        return encodeAgentState({ state: 'busy', jobId, atMs: now + this.w.params.futureHours * 3_600_000, ...ack });
      case 'busy-forever':
        return encodeAgentState({ state: 'busy', jobId, atMs: now, ...ack });
      case 'idle-while-busy':
      case 'exited-while-busy': {
        const truth = honest ?? { state: 'exited' as const, atMs: now };
        if (truth.state !== 'busy') return encodeAgentState({ ...truth, ...ack });
        return encodeAgentState({ state: tactic === 'idle-while-busy' ? 'idle' : 'exited', atMs: now, ...ack });
      }
    }
  }

  private activate(host: Host, tactic: Tactic): void {
    host.hostile = true;
    this.w.ctx.record('hostile.root', { instance: host.instance.id, tactic });
    const principal = this.principal(host);
    const gone = (): boolean => host.instance.state === 'shutting-down' || host.instance.state === 'terminated';
    const attackMs = this.w.params.attackEveryMinutes * 60_000;
    const attack = (): void => {
      if (gone()) return;
      attackRound(this.attackWorld, host.instance, principal);
      this.w.ctx.engine.after(attackMs, 'hostile-attack', attack);
    };
    // The first round soon after root, at a drawn phase so attackers do not move in lockstep.
    this.w.ctx.engine.after(this.w.ctx.drawMs('hostile.phase', [5, 120]), 'hostile-attack', attack);
    if (tactic !== 'future-busy' && tactic !== 'busy-forever') return;
    // Its own tag, rewritten whatever the runner does (the agent's own writes are forged as well).
    const rewriteMs = this.w.params.rewriteEveryMinutes * 60_000;
    const rewrite = (): void => {
      if (gone()) return;
      const value = this.lie(host, tactic, undefined);
      forgeTag(this.attackWorld, principal, host.instance, { [TAG.agentState]: value });
      this.w.ctx.engine.after(rewriteMs, 'hostile-rewrite', rewrite);
    };
    this.w.ctx.engine.after(rewriteMs, 'hostile-rewrite', rewrite);
  }

  private principal(host: Host): RunnerPrincipal {
    const c = host.pool.config;
    return {
      instanceArn: `${this.w.role.instanceArnPrefix}${host.instance.id}`,
      pool: host.pool.name,
      environment: this.w.environment,
      runnerConfigPath: this.w.runnerConfigPath,
      fleetParameterPath: this.w.role.fleetParameterPath,
      githubParameters: this.w.role.githubParameters,
      // modules/runner-pool: the recycle queue and its statement exist for reusable pools only.
      ...(c.ephemeral || c.recycleQueueArn === undefined ? {} : { recycleQueueArn: c.recycleQueueArn }),
    };
  }

  /**
   * GitHub made a registration. A JIT registration for an instance that still holds a live one
   * (not consumed by a job, not deleted) gives it a second job at once: what a forged recycle must
   * never achieve. A forged request consumed in this invocation for this instance is `honoured`.
   */
  registered(registration: Registration): void {
    if (!registration.jit) return;
    const id = registration.instanceId;
    const held = [...this.w.github.registrations.values()].some(
      (r) => r !== registration && r.instanceId === id && r.jit && !r.consumed && !r.deleted,
    );
    if (held) this.extraRegistrations.push({ instanceId: id, hostile: this.tactics.has(id), atMs: this.w.ctx.now });
    for (const forged of this.forgedRecycles) {
      if (forged.target !== id || forged.outcome !== undefined) continue;
      if (this.w.sqs.messageState(forged.queueUrl, forged.messageId) !== 'inFlight') continue;
      if (this.tactics.has(id)) forged.outcome = 'hostile';
      else forged.outcome = this.w.waitingForRegistration(id) ? 'honestWaiting' : 'honestNotWaiting';
    }
  }

  /** Settles the forged recycle requests at the end of a run: honoured, dropped, or still pending. */
  settle(): HostileCounts {
    const f = this.counts.forgedRecycle;
    f.honoured = 0;
    f.droppedByScaleUp = 0;
    f.pending = 0;
    f.honouredFor = { honestWaiting: 0, hostile: 0, honestNotWaiting: 0 };
    for (const forged of this.forgedRecycles) {
      if (forged.outcome !== undefined) {
        f.honoured++;
        f.honouredFor[forged.outcome]++;
      } else if (this.w.sqs.messageState(forged.queueUrl, forged.messageId) === 'gone') f.droppedByScaleUp++;
      else f.pending++;
    }
    return this.counts;
  }
}
