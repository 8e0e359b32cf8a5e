import { configParameterName, decodeRunnerConfigReady, RUNNER_CONFIG_TAG } from '../../core/scale-up/runner-config.js';
import { encodeMessage } from '../../core/scale-up/messages.js';
import { TAG, decodeAgentState, decodeLifecycle, encodeAgentState, type AgentState } from '../../core/tags.js';
import type { QueuedEvent } from '../engine/queue.js';
import type { WorldContext } from './context.js';
import type { Ec2World } from './ec2.js';
import type { Host } from './host.js';
import type { SqsWorld } from './sqs.js';
import type { SsmWorld } from './ssm.js';

/** agent/ghr-agent.sh's defaults (agent/README.md, "Configuration"). */
export const AGENT_DEFAULTS = {
  configWaitSeconds: 600,
  recycleDelaySeconds: 2,
  recycleResendSeconds: 60,
  recycleTimeoutSeconds: 600,
  /** A failed state write is tried again on the next tick (POLL_SECONDS). */
  retrySeconds: 1,
} as const;

/** The agent's own state on one host. */
export interface AgentMemory {
  alive: boolean;
  /** The state last observed (what the next write carries). */
  observed?: AgentState;
  writing: boolean;
  /** Run once the current state is on the tag (a shutdown waits for `exited` to land). */
  afterWrite: (() => void)[];
  /** The mark acknowledged, carried on every later write (later proof of life). */
  ackMarkMs?: number;
  /** The `ready@<ms>` of the config the current (or last) runner started from. */
  lastConfigMarkMs: number;
  recycle?: { resend?: QueuedEvent; timeout?: QueuedEvent };
  /** The current registration's job was answered with a request for the next one (ASKED_AHEAD). */
  askedAhead?: boolean;
  configWait?: QueuedEvent;
}

/** The world's call counters: the agent's AWS calls are counted, not made through a door. */
export interface AgentCounters {
  awsCall(action: string): void;
  awsThrottled(): void;
}

export interface AgentCallbacks {
  /** Starts the runner from a config value; false when the value is not a usable config. */
  startRunner(host: Host, config: string): boolean;
  shutdown(host: Host): void;
  /** What the agent observes on its host now. */
  observe(host: Host): AgentState;
  /** A hostile job (root on the instance) replaces the value the agent writes (sim/world/hostile). */
  forge?(host: Host, honest: string): string | undefined;
}

/**
 * The model of agent/ghr-agent.sh (held to the real script by lambdas/test/agent/model-contract.test.ts,
 * which feeds both the same scripted events and compares their writes): it fetches and
 * deletes its runner config from SSM (`<runnerConfigPath>/<pool>/<instance-id>`), waits for one at
 * boot, publishes the state it observes (one write at a time, always the current state), answers
 * a retirement mark read through instance metadata with one write, and when its runner has exited
 * shuts the instance down (ephemeral pool) or asks its pool's queue for a fresh registration and
 * waits for scale-up's `ghr:runner-config` signal (reusable pool). Its AWS calls are the world's own
 * (counted, not part of the control plane).
 */
export class AgentModel {
  constructor(
    private readonly ctx: WorldContext,
    private readonly ec2: Ec2World,
    private readonly ssm: SsmWorld,
    private readonly sqs: SqsWorld,
    private readonly runnerConfigPath: string,
    private readonly counters: AgentCounters,
    private readonly callbacks: AgentCallbacks,
    /** Asks for the next registration once a job runs (false: a baseline's world, sim/build.ts). */
    private readonly asksAhead = true,
  ) {}

  private count(action: string): void {
    this.counters.awsCall(action);
  }

  private gone(host: Host): boolean {
    const state = host.instance.state;
    return state === 'shutting-down' || state === 'terminated';
  }

  private active(host: Host): boolean {
    return host.agent.alive && !this.gone(host);
  }

  /** Boot: fetch the config, retrying every tag poll until the wait ends (then exited and shutdown). */
  boot(host: Host): void {
    host.agent.alive = true;
    const deadline = this.ctx.now + AGENT_DEFAULTS.configWaitSeconds * 1000;
    host.agent.lastConfigMarkMs = decodeRunnerConfigReady(this.ec2.readImdsTags(host.instance)[RUNNER_CONFIG_TAG]) ?? 0;
    const attempt = (): void => {
      if (!this.active(host)) return;
      const config = this.fetchConfig(host);
      if (config !== undefined) {
        // A token registration (long-lived: `config.sh` arguments) has no next one to prepare.
        host.agent.askedAhead = config.startsWith('--');
        if (this.callbacks.startRunner(host, config)) return;
        this.ctx.record('agent.badConfig', { instance: host.instance.id });
      }
      if (this.ctx.now >= deadline) {
        this.ctx.record('host.noConfig', { instance: host.instance.id });
        this.publish(host, () => this.callbacks.shutdown(host));
        return;
      }
      host.agent.configWait = this.ctx.engine.after(this.tagPollMs(), 'agent-config-wait', attempt);
    };
    attempt();
  }

  /** GetParameter (decrypted) then DeleteParameter at once (agent/README.md step 2). */
  private fetchConfig(host: Host): string | undefined {
    const name = configParameterName(this.runnerConfigPath, host.pool.name, host.instance.id);
    this.count('ssm:GetParameter');
    const parameter = this.ssm.parameters.get(name);
    if (parameter === undefined) return undefined;
    this.count('ssm:DeleteParameter');
    this.ssm.delete(name);
    return parameter.value;
  }

  /** The runner or its worker changed: the agent sees it within its notice time, then writes. */
  notice(host: Host, afterWrite?: () => void): void {
    const delay = this.ctx.drawMs('agent.notice', this.ctx.params.runner.agentNoticeSeconds);
    this.ctx.engine.after(delay, 'agent-notice', () => {
      if (this.active(host)) this.publish(host, afterWrite);
    });
  }

  /**
   * The runner process has exited and no worker runs: `exited` is published first (publish_exited),
   * then the instance shuts down (ephemeral pool) or asks for a fresh registration (reusable pool).
   */
  runnerExited(host: Host): void {
    this.notice(host, () => {
      if (host.pool.config.ephemeral) this.callbacks.shutdown(host);
      else this.requestRecycle(host);
    });
  }

  /** Publishes the current state; `afterWrite` runs once a write carrying it has landed. */
  private publish(host: Host, afterWrite?: () => void): void {
    this.observe(host);
    if (afterWrite) host.agent.afterWrite.push(afterWrite);
    if (!host.agent.writing) this.write(host);
  }

  /**
   * Observes the host; the state keeps the time it began (the agent's SINCE_MS), so observing the
   * same state again changes nothing and writes nothing.
   */
  private observe(host: Host): void {
    const next = this.callbacks.observe(host);
    const last = host.agent.observed;
    if (last === undefined || last.state !== next.state || last.jobId !== next.jobId) host.agent.observed = next;
  }

  private encoded(host: Host): string {
    const state = host.agent.observed ?? { state: 'exited', atMs: this.ctx.now };
    return encodeAgentState({
      ...state,
      ...(host.agent.ackMarkMs === undefined ? {} : { ackMarkMs: host.agent.ackMarkMs }),
    });
  }

  /** Serial writes of the current state: a late `idle` never overwrites a newer `busy`. */
  private write(host: Host): void {
    host.agent.writing = true;
    const honest = this.encoded(host);
    const value = this.callbacks.forge?.(host, honest) ?? honest;
    this.ctx.engine.after(
      this.ctx.drawMs('agent.write', this.ctx.params.runner.agentWriteSeconds),
      'agent-write',
      () => {
        host.agent.writing = false;
        if (!this.active(host)) return;
        this.count('CreateTags');
        if (this.ctx.params.runner.agentWritesThrottled) {
          try {
            this.ec2.admit('mutating');
          } catch {
            this.counters.awsThrottled();
            this.ctx.record('agent.writeThrottled', { instance: host.instance.id });
            host.agent.writing = true;
            this.ctx.engine.after(AGENT_DEFAULTS.retrySeconds * 1000, 'agent-write-retry', () => {
              host.agent.writing = false;
              if (this.active(host)) this.write(host);
            });
            return;
          }
        }
        this.ec2.writeTags(host.instance, { [TAG.agentState]: value }, 'agent');
        this.askAhead(host, honest);
        this.observe(host);
        if (this.encoded(host) !== honest) {
          this.write(host);
          return;
        }
        for (const then of host.agent.afterWrite.splice(0)) then();
      },
    );
  }

  /** The agent polls its own tags through instance metadata every few seconds (TAG_POLL_SECONDS). */
  private tagPollMs(): number {
    return this.ctx.drawMs('agent.tagPoll', this.ctx.params.runner.tagPollSeconds);
  }

  /** A tag changed: the agent reads it at its next tag poll after instance metadata shows it. */
  tagsChanged(host: Host, keys: readonly string[], imdsVisibleMs: number): void {
    if (!host.agent.alive) return;
    const mark = keys.includes(TAG.lifecycle);
    const config = keys.includes(RUNNER_CONFIG_TAG) && host.agent.recycle !== undefined;
    if (!mark && !config) return;
    this.ctx.engine.at(imdsVisibleMs + this.tagPollMs(), 'agent-tag-poll', () => {
      if (!this.active(host)) return;
      if (mark) this.readMark(host);
      if (config) this.readConfigSignal(host);
    });
  }

  /** A new mark is answered once: one write of the current state carrying `/ack:<mark>`. */
  private readMark(host: Host): void {
    const mark = decodeLifecycle(this.ec2.readImdsTags(host.instance)[TAG.lifecycle]);
    if (!mark || mark.markMs === host.agent.ackMarkMs) return;
    host.agent.ackMarkMs = mark.markMs;
    this.ctx.record('agent.ack', { instance: host.instance.id, mark: mark.markMs });
    this.publish(host);
  }

  /** SendMessage of a recycle request to the pool's recycle queue (GHR_QUEUE_URL, the only queue a runner may send to). */
  private sendRecycle(host: Host): void {
    const body = encodeMessage({ kind: 'recycle', instanceId: host.instance.id, pool: host.pool.name });
    this.count('sqs:SendMessage');
    this.sqs.send(
      host.pool.config.recycleQueueUrl ?? host.pool.config.queueUrl,
      body,
      AGENT_DEFAULTS.recycleDelaySeconds,
    );
  }

  /**
   * A reusable pool's agent, once its `busy` for a new job is on the tag, asks for the next
   * registration (ask_ahead): scale-up prepares it while the job runs (core/scale-up/recycle.ts).
   */
  private askAhead(host: Host, written: string): void {
    const state = decodeAgentState(written);
    if (!this.asksAhead || host.pool.config.ephemeral || state?.state !== 'busy' || host.agent.askedAhead === true)
      return;
    host.agent.askedAhead = true;
    this.sendRecycle(host);
    this.ctx.record('agent.recycle.ahead', { instance: host.instance.id });
  }

  private requestRecycle(host: Host): void {
    this.stopRecycle(host);
    const waiting: NonNullable<AgentMemory['recycle']> = {};
    host.agent.recycle = waiting;
    // A registration prepared while the job ran is taken at once: no request (await_recycle).
    this.readConfigSignal(host);
    if (host.agent.recycle !== waiting) return;
    const send = (): void => {
      if (!this.active(host) || host.agent.recycle !== waiting) return;
      this.sendRecycle(host);
      this.ctx.record('agent.recycle.request', { instance: host.instance.id });
      waiting.resend = this.ctx.engine.after(AGENT_DEFAULTS.recycleResendSeconds * 1000, 'agent-recycle-resend', send);
    };
    send();
    waiting.timeout = this.ctx.engine.after(
      AGENT_DEFAULTS.recycleTimeoutSeconds * 1000,
      'agent-recycle-timeout',
      () => {
        if (host.agent.recycle !== waiting) return;
        this.stopRecycle(host);
        if (!this.active(host) || host.runnerAlive) return;
        this.ctx.record('agent.recycle.timeout', { instance: host.instance.id });
        this.callbacks.shutdown(host);
      },
    );
  }

  /** Scale-up's `ready@<ms>` newer than the last config used: fetch it and start the runner. */
  private readConfigSignal(host: Host): void {
    if (host.agent.recycle === undefined) return;
    const readyMs = decodeRunnerConfigReady(this.ec2.readImdsTags(host.instance)[RUNNER_CONFIG_TAG]);
    if (readyMs === undefined || readyMs <= host.agent.lastConfigMarkMs) return;
    const config = this.fetchConfig(host);
    if (config === undefined) return; // the parameter may lag the tag: the next signal or resend decides
    host.agent.lastConfigMarkMs = readyMs;
    this.stopRecycle(host);
    this.ctx.record('agent.recycle.ready', { instance: host.instance.id, ready: readyMs });
    // run.sh starting from the new config takes the reconfigure time.
    const startMs = this.ctx.drawMs('runner.reconfigure', this.ctx.params.runner.reconfigureSeconds);
    this.ctx.engine.after(startMs, 'reconfigure', () => {
      host.agent.askedAhead = config.startsWith('--');
      if (this.active(host) && !this.callbacks.startRunner(host, config)) {
        this.ctx.record('agent.badConfig', { instance: host.instance.id });
      }
    });
  }

  private stopRecycle(host: Host): void {
    const waiting = host.agent.recycle;
    if (waiting === undefined) return;
    delete host.agent.recycle;
    this.ctx.engine.cancel(waiting.resend);
    this.ctx.engine.cancel(waiting.timeout);
  }

  /** Dies silently (a scenario fault): nothing more is written or answered. */
  kill(host: Host): void {
    if (!host.agent.alive) return;
    this.stop(host);
    this.ctx.record('agent.dead', { instance: host.instance.id });
  }

  /** The instance is going (or the agent died): nothing of the agent runs any more. */
  stop(host: Host): void {
    host.agent.alive = false;
    host.agent.afterWrite.length = 0;
    this.stopRecycle(host);
    this.ctx.engine.cancel(host.agent.configWait);
  }
}
