import { scaleDownConfigSchema, type ScaleDownConfig } from '../../src/config/schema.js';
import type { Log, Metrics } from '../../src/observability/types.js';
import type {
  Clock,
  Ec2Port,
  FleetInstance,
  GitHubPort,
  GitHubRunner,
  Ports,
  RunnerOwner,
  SqsPort,
  SsmPort,
} from '../../src/ports/index.js';
import type { ScaleDownContext } from '../../src/core/strategy.js';
import { TAG, decodeAgentState, decodeLifecycle, encodeAgentState } from '../../src/core/tags.js';
import { InMemoryGitHub } from '../../src/sim/facades/github/index.js';
import { InMemoryEc2, InMemorySqs, InMemorySsm, ManualClock } from '../../src/sim/memory/index.js';
import { intercept } from '../../src/sim/ports/intercept.js';

export const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);
export const MIN = 60_000;
export const REPO: RunnerOwner = { kind: 'repo', owner: 'acme', repo: 'app' };
export const ORG: RunnerOwner = { kind: 'org', org: 'acme' };
/** TerminateInstances took effect: EC2 lists the instance `shutting-down`, later `terminated` (world-model.md, EC2). */
export const TERMINATED = /^(shutting-down|terminated)$/;

const poolBase = {
  launchTemplateName: 'lt',
  instanceTypes: ['m7g.large'],
  subnetIds: ['subnet-0abc'],
  maxRunners: 10,
};

export function makeConfig(
  overrides: Record<string, unknown> = {},
  poolOverrides: Record<string, unknown> = {},
): ScaleDownConfig {
  return scaleDownConfigSchema.parse({
    environment: 'test',
    github: { appIdParameter: '/gh/app-id', privateKeyParameter: '/gh/key' },
    pools: {
      repo: {
        ...poolBase,
        owner: 'acme/app',
        ownerType: 'repo',
        labels: ['pool-a'],
        queueUrl: 'https://sqs.test/repo',
        queueArn: 'arn:aws:sqs:eu-west-1:123456789012:repo',
        deadLetterQueueUrl: 'https://sqs.test/repo-dlq',
        ...poolOverrides,
      },
      org: {
        ...poolBase,
        owner: 'acme',
        ownerType: 'org',
        labels: ['pool-b'],
        queueUrl: 'https://sqs.test/org',
        queueArn: 'arn:aws:sqs:eu-west-1:123456789012:org',
        deadLetterQueueUrl: 'https://sqs.test/org-dlq',
        runnerGroupId: 1,
        ...poolOverrides,
      },
    },
    lease: { parameterName: '/ghr/lease' },
    runnerConfigPath: '/ghr/runners',
    ...overrides,
  });
}

export class RecordingMetrics implements Metrics {
  readonly counts = new Map<string, number>();
  count(name: string, value = 1): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + value);
  }
  get(name: string): number {
    return this.counts.get(name) ?? 0;
  }
}

export class RecordingLog implements Log {
  readonly lines: { level: string; message: string; attributes?: Record<string, unknown> }[] = [];
  debug(message: string, attributes?: Record<string, unknown>) {
    this.lines.push({ level: 'debug', message, ...(attributes ? { attributes } : {}) });
  }
  info(message: string, attributes?: Record<string, unknown>) {
    this.lines.push({ level: 'info', message, ...(attributes ? { attributes } : {}) });
  }
  warn(message: string, attributes?: Record<string, unknown>) {
    this.lines.push({ level: 'warn', message, ...(attributes ? { attributes } : {}) });
  }
  error(message: string, attributes?: Record<string, unknown>) {
    this.lines.push({ level: 'error', message, ...(attributes ? { attributes } : {}) });
  }
}

/**
 * A world for core tests: the one in-memory double per port (the ones the contract suites hold),
 * each behind an interceptor (`spy`) that records the control plane's calls and runs a test's
 * hooks, plus an emulated agent per instance. By default every agent answers a lifecycle mark at
 * once with its current state (`ackAgents = false` makes them silent).
 *
 * Set the world up through the doubles (`github`, `ec2`, ...); the control plane sees `ports`.
 */
export class World {
  readonly clock = new ManualClock(T0);
  readonly github = new InMemoryGitHub(this.clock);
  readonly ec2 = new InMemoryEc2(this.clock);
  readonly ssm = new InMemorySsm(this.clock);
  readonly sqs = new InMemorySqs(this.clock);
  readonly spy = {
    github: intercept<GitHubPort>(this.github),
    ec2: intercept<Ec2Port>(this.ec2),
    ssm: intercept<SsmPort>(this.ssm),
    sqs: intercept<SqsPort>(this.sqs),
    clock: intercept<Clock>(this.clock),
  };
  readonly metrics = new RecordingMetrics();
  readonly log = new RecordingLog();
  ackAgents = true;

  constructor(readonly config: ScaleDownConfig = makeConfig()) {
    for (const pool of Object.values(config.pools)) {
      this.sqs.createQueue(pool.queueUrl);
      this.sqs.createQueue(pool.deadLetterQueueUrl);
    }
    this.spy.ec2.after('createTags', async ({ args: [ids, tags] }) => {
      if (!this.ackAgents || tags[TAG.lifecycle] === undefined) return;
      for (const id of ids) await this.ack(id);
    });
  }

  get ports(): Ports {
    const { github, ec2, ssm, sqs, clock } = this.spy;
    return { github: github.port, ec2: ec2.port, ssm: ssm.port, sqs: sqs.port, clock: clock.port };
  }

  context(): ScaleDownContext {
    return { ports: this.ports, config: this.config, log: this.log, metrics: this.metrics };
  }

  /** The agent's answer to a mark: its current state, echoing the mark's time. */
  async ack(instanceId: string): Promise<void> {
    const { tags } = await this.instance(instanceId);
    const mark = decodeLifecycle(tags[TAG.lifecycle]);
    const state = decodeAgentState(tags[TAG.agentState]);
    if (mark === undefined || state === undefined) return;
    await this.setTags(instanceId, { [TAG.agentState]: encodeAgentState({ ...state, ackMarkMs: mark.markMs }) });
  }

  /**
   * A running instance of `pool`, with an agent state and (unless `registered: false`) a runner
   * named after it, registered as scale-up registers it (a JIT config) and online.
   */
  async addRunner(options: {
    id: string;
    pool?: 'repo' | 'org';
    launchedMinutesAgo?: number;
    agent?: string;
    busy?: boolean;
    registered?: boolean;
    tags?: Record<string, string>;
  }): Promise<{ instanceId: string; runnerId: number | undefined }> {
    const pool = options.pool ?? 'repo';
    const launchTimeMs = this.clock.now() - (options.launchedMinutesAgo ?? 30) * MIN;
    const tags: Record<string, string> = {
      [TAG.environment]: 'test',
      [TAG.pool]: pool,
      [TAG.owner]: pool === 'repo' ? 'acme/app' : 'acme',
      [TAG.type]: pool === 'repo' ? 'Repo' : 'Org',
      ...(options.agent === undefined ? { [TAG.agentState]: `idle@${launchTimeMs + MIN}` } : {}),
      ...(options.agent !== undefined && options.agent !== '' ? { [TAG.agentState]: options.agent } : {}),
      ...options.tags,
    };
    this.ec2.addInstance({ instanceId: options.id, launchTimeMs, tags });
    if (options.registered === false) return { instanceId: options.id, runnerId: undefined };
    const runnerId = await this.register(pool === 'repo' ? REPO : ORG, options.id);
    if (options.busy === true) this.github.setBusy(runnerId, true);
    return { instanceId: options.id, runnerId };
  }

  /** A runner registered with a JIT config carrying its pool's label, online and idle. */
  async register(owner: RunnerOwner, name: string): Promise<number> {
    const labels = [owner.kind === 'repo' ? 'pool-a' : 'pool-b'];
    const { runnerId } = await this.github.generateJitConfig(owner, { name, labels, runnerGroupId: 1 });
    this.github.setStatus(runnerId, 'online');
    return runnerId;
  }

  /** What an agent does: writes its instance's tags. */
  async setTags(instanceId: string, tags: Record<string, string>): Promise<void> {
    await this.ec2.createTags([instanceId], tags);
  }

  async instance(instanceId: string): Promise<FleetInstance> {
    const [found] = await this.ec2.listInstances({ instanceIds: [instanceId] });
    if (found === undefined) throw new Error(`no instance ${instanceId}`);
    return found;
  }

  async state(instanceId: string): Promise<string> {
    return (await this.instance(instanceId)).state;
  }

  async tag(instanceId: string, key: string): Promise<string | undefined> {
    return (await this.instance(instanceId)).tags[key];
  }

  /** Every registered runner of both owners. */
  async runners(): Promise<GitHubRunner[]> {
    return [...(await this.github.listRunners(REPO)), ...(await this.github.listRunners(ORG))];
  }

  async registered(runnerId: number): Promise<boolean> {
    return (await this.runners()).some((r) => r.id === runnerId);
  }
}
