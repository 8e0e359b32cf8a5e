import { scaleDownConfigSchema, type ScaleDownConfig } from '../../../src/config/schema.js';
import type { Log, Metrics } from '../../../src/observability/types.js';
import type { Ports, RunnerOwner } from '../../../src/ports/index.js';
import type { ScaleDownContext } from '../../../src/core/strategy.js';
import { TAG, decodeAgentState, decodeLifecycle, encodeAgentState } from '../../../src/core/tags.js';
import { FakeGitHub } from './fake-github.js';
import { FakeClock, FakeEc2, FakeSqs, FakeSsm } from './fake-aws.js';

export const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);
export const MIN = 60_000;
export const REPO: RunnerOwner = { kind: 'repo', owner: 'acme', repo: 'app' };
export const ORG: RunnerOwner = { kind: 'org', org: 'acme' };

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
 * A fake world: ports plus an emulated agent per instance. By default every agent answers a
 * lifecycle mark at once with its current state (`ackAgents = false` makes them silent).
 */
export class World {
  readonly clock = new FakeClock(T0);
  readonly github = new FakeGitHub();
  readonly ec2 = new FakeEc2();
  readonly ssm = new FakeSsm(this.clock);
  readonly sqs = new FakeSqs();
  readonly metrics = new RecordingMetrics();
  readonly log = new RecordingLog();
  ackAgents = true;
  private runnerIds = 1;

  constructor(readonly config: ScaleDownConfig = makeConfig()) {
    this.ec2.after = (call, ids, tags) => {
      if (call !== 'createTags' || !this.ackAgents || tags?.[TAG.lifecycle] === undefined) return;
      for (const id of ids) this.ack(id);
    };
  }

  get ports(): Ports {
    return { github: this.github, ec2: this.ec2, ssm: this.ssm, sqs: this.sqs, clock: this.clock };
  }

  context(): ScaleDownContext {
    return { ports: this.ports, config: this.config, log: this.log, metrics: this.metrics };
  }

  /** The agent's answer to a mark: its current state, echoing the mark's time. */
  ack(instanceId: string): void {
    const instance = this.ec2.instances.get(instanceId)!;
    const mark = decodeLifecycle(instance.tags[TAG.lifecycle]);
    const state = decodeAgentState(instance.tags[TAG.agentState]);
    if (mark === undefined || state === undefined) return;
    instance.tags[TAG.agentState] = encodeAgentState({ ...state, ackMarkMs: mark.markMs });
  }

  /** A running instance of `pool`, with an agent state and (unless `registered: false`) a runner named after it. */
  addRunner(options: {
    id: string;
    pool?: 'repo' | 'org';
    launchedMinutesAgo?: number;
    agent?: string;
    busy?: boolean;
    registered?: boolean;
    tags?: Record<string, string>;
  }) {
    const pool = options.pool ?? 'repo';
    const owner = pool === 'repo' ? REPO : ORG;
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
    const instance = this.ec2.add({ instanceId: options.id, launchTimeMs, tags });
    const runner =
      options.registered === false
        ? undefined
        : this.github.addRunner(owner, {
            id: this.runnerIds++,
            name: options.id,
            busy: options.busy ?? false,
            labels: [
              { name: 'self-hosted', type: 'read-only' },
              { name: pool === 'repo' ? 'pool-a' : 'pool-b', type: 'custom' },
            ],
          });
    return { instance, runner };
  }

  state(id: string): string {
    return this.ec2.instances.get(id)!.state;
  }
  tag(id: string, key: string): string | undefined {
    return this.ec2.instances.get(id)!.tags[key];
  }
}
