import { configParameterName, decodeRunnerConfigReady, RUNNER_CONFIG_TAG } from '../../core/scale-up/runner-config.js';
import { encodeMessage } from '../../core/scale-up/messages.js';
import type { QueuedEvent } from '../engine/queue.js';
import type { Host } from '../world/host.js';
import type { World } from '../world/world.js';

/** agent/README.md, "Configuration": the agent's defaults for a reusable pool. */
export const AGENT_RECYCLE = {
  delaySeconds: 2,
  resendSeconds: 60,
  timeoutSeconds: 600,
} as const;

interface Waiting {
  readonly host: Host;
  /** The `ready@<ms>` the runner that just exited was started with; only a newer one answers. */
  readonly lastReadyMs: number;
  resend?: QueuedEvent;
  timeout?: QueuedEvent;
}

export interface AgentRecycleStats {
  requestsSent: number;
  restarts: number;
  timeouts: number;
}

/**
 * The agent's side of recycling in the HTTP door (agent/README.md step 6), replacing the modelled
 * scale-up's shortcut: the exited runner's agent sends a real `recycle` message to the pool's queue
 * (delayed 2 s, resent every 60 s while unanswered), then watches its instance-metadata tags for a
 * `ghr:runner-config` = `ready@<ms>` newer than the one it last used; then it restarts the runner
 * with the JIT registration scale-up generated for it. No answer in 600 s: it shuts the instance
 * down. Scale-up may terminate the instance instead (surplus), which ends the wait.
 *
 * The agent is part of the world, not a Lambda: its SQS send goes to the world directly (counted as
 * an AWS call), like its tag writes.
 */
export class AgentRecycle {
  readonly stats: AgentRecycleStats = { requestsSent: 0, restarts: 0, timeouts: 0 };
  private readonly waiting = new Map<string, Waiting>();

  constructor(
    private readonly world: World,
    private readonly runnerConfigPath: string,
  ) {}

  attach(): void {
    const { world } = this;
    world.hosts.hooks = {
      ...world.hosts.hooks,
      onRecycleRequest: (host) => this.request(host),
      onRunnerStarted: (host) => this.consumeConfig(host),
    };
    const original = world.ec2.hooks;
    world.ec2.hooks = {
      onTerminating: (instance, by) => {
        original.onTerminating(instance, by);
        this.stop(instance.id);
      },
      onTagsChanged: (instance, keys, imdsVisibleMs) => {
        original.onTagsChanged(instance, keys, imdsVisibleMs);
        if (keys.includes(RUNNER_CONFIG_TAG) && this.waiting.has(instance.id)) {
          world.engine.at(imdsVisibleMs, 'agent-config-tag', () => this.check(instance.id));
        }
      },
    };
  }

  private gone(host: Host): boolean {
    const state = host.instance.state;
    return state === 'shutting-down' || state === 'terminated';
  }

  private request(host: Host): void {
    const id = host.instance.id;
    const lastReadyMs = decodeRunnerConfigReady(this.world.ec2.readImdsTags(host.instance)[RUNNER_CONFIG_TAG]) ?? -1;
    const entry: Waiting = { host, lastReadyMs };
    this.stop(id);
    this.waiting.set(id, entry);
    this.send(entry);
    entry.timeout = this.world.engine.after(AGENT_RECYCLE.timeoutSeconds * 1000, 'agent-recycle-timeout', () => {
      if (this.waiting.get(id) !== entry) return;
      this.stop(id);
      if (!host.agentAlive || this.gone(host) || host.runnerAlive) return;
      this.stats.timeouts++;
      this.world.ctx.record('agent.recycle.timeout', { instance: id });
      this.world.hosts.shutdown(host);
    });
  }

  private send(entry: Waiting): void {
    const { host } = entry;
    if (!host.agentAlive || this.gone(host)) return;
    const body = encodeMessage({ kind: 'recycle', instanceId: host.instance.id, pool: host.pool.name });
    this.world.counters.awsCall('sqs:SendMessage');
    this.world.sqs.send(host.pool.config.queueUrl, body, AGENT_RECYCLE.delaySeconds);
    this.stats.requestsSent++;
    entry.resend = this.world.engine.after(AGENT_RECYCLE.resendSeconds * 1000, 'agent-recycle-resend', () => {
      if (this.waiting.get(host.instance.id) === entry) this.send(entry);
    });
  }

  private check(instanceId: string): void {
    const entry = this.waiting.get(instanceId);
    if (!entry) return;
    const { host } = entry;
    if (!host.agentAlive || this.gone(host)) return this.stop(instanceId);
    const readyMs = decodeRunnerConfigReady(this.world.ec2.readImdsTags(host.instance)[RUNNER_CONFIG_TAG]);
    if (readyMs === undefined || readyMs <= entry.lastReadyMs) return;
    this.stop(instanceId);
    this.stats.restarts++;
    this.world.ctx.record('agent.recycle.ready', { instance: instanceId, ready: readyMs });
    // The agent fetches and deletes its config as it starts the runner (after the reconfigure time).
    const startMs = this.world.ctx.drawMs('runner.reconfigure', this.world.ctx.params.runner.reconfigureSeconds);
    this.world.engine.after(startMs, 'reconfigure', () => this.world.hosts.startRunner(host));
  }

  /** agent/README.md step 2: the agent reads its config from SSM and deletes the parameter at once. */
  private consumeConfig(host: Host): void {
    const name = configParameterName(this.runnerConfigPath, host.pool.name, host.instance.id);
    if (!this.world.ssm.parameters.has(name)) return;
    this.world.counters.awsCall('ssm:GetParameter');
    this.world.counters.awsCall('ssm:DeleteParameter');
    this.world.ssm.delete(name);
  }

  private stop(instanceId: string): void {
    const entry = this.waiting.get(instanceId);
    if (!entry) return;
    this.waiting.delete(instanceId);
    this.world.engine.cancel(entry.resend);
    this.world.engine.cancel(entry.timeout);
  }
}
