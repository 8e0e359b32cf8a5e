import { scaleUpConfigSchema, type ScaleUpConfig } from '../../src/config/schema.js';
import { encodeMessage, type JobMessage, type PoolMessage } from '../../src/core/scale-up/messages.js';
import type { ScaleUpDeps } from '../../src/core/scale-up/types.js';
import { TAG } from '../../src/core/tags.js';
import { recentIds } from '../../src/core/webhook/dedup.js';
import { SecretRegistry } from '../../src/observability/redact.js';
import type { Log, Metrics } from '../../src/observability/types.js';
import type { CreateFleetRequest, Ec2Port, PutParameterRequest, SqsPort, SsmPort } from '../../src/ports/index.js';
import { InMemoryGitHub } from '../../src/sim/facades/github/in-memory.js';
import { ManualClock } from '../../src/sim/memory/clock.js';
import { InMemoryEc2 } from '../../src/sim/memory/ec2.js';
import { InMemorySqs } from '../../src/sim/memory/sqs.js';
import { InMemorySsm } from '../../src/sim/memory/ssm.js';

export const ENVIRONMENT = 'ghr-test';
export const CONFIG_PATH = '/ghr/test/runners';
export const LINUX_QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/ghr-test-linux';
export const WARM_QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/ghr-test-warm';

export const INSTANCE_ARN_PREFIX = 'arn:aws:ec2:eu-west-1:123456789012:instance/';

/** A pool's queue fields, as Terraform renders them from the queue it creates. */
function queue(url: string) {
  const name = url.split('/').at(-1) ?? '';
  return {
    queueUrl: url,
    queueArn: `arn:aws:sqs:eu-west-1:123456789012:${name}`,
    deadLetterQueueUrl: `${url}-dlq`,
    recycleQueueUrl: `${url}-recycle`,
    recycleQueueArn: `arn:aws:sqs:eu-west-1:123456789012:${name}-recycle`,
  };
}

const basePool = {
  owner: 'acme',
  ownerType: 'org',
  labels: ['gpu'],
  maxRunners: 3,
  launchTemplateName: 'ghr-test-linux',
  instanceTypes: ['m7i.large', 'm6i.large'],
  subnetIds: ['subnet-0a', 'subnet-0b'],
};

export function rawScaleUpConfig(extra: Record<string, unknown> = {}, poolExtra: Record<string, unknown> = {}) {
  return {
    environment: ENVIRONMENT,
    github: { appIdParameter: '/ghr/test/app-id', privateKeyParameter: '/ghr/test/key' },
    pools: {
      linux: { ...basePool, ...queue(LINUX_QUEUE), ...poolExtra },
      warm: { ...basePool, labels: ['warm'], ephemeral: false, ...queue(WARM_QUEUE), capacityType: 'on-demand' },
    },
    runnerConfigPath: CONFIG_PATH,
    instanceArnPrefix: INSTANCE_ARN_PREFIX,
    extraTags: { 'cost-center': 'ci' },
    ...extra,
  };
}

export function scaleUpConfig(
  extra: Record<string, unknown> = {},
  poolExtra: Record<string, unknown> = {},
): ScaleUpConfig {
  return scaleUpConfigSchema.parse(rawScaleUpConfig(extra, poolExtra));
}

export function recorder() {
  const lines: { level: string; message: string; attributes: Record<string, unknown> }[] = [];
  const counts = new Map<string, number>();
  const entry =
    (level: string) =>
    (message: string, attributes: Record<string, unknown> = {}) =>
      void lines.push({ level, message, attributes });
  const log: Log = { debug: entry('debug'), info: entry('info'), warn: entry('warn'), error: entry('error') };
  const metrics: Metrics = { count: (name, value = 1) => void counts.set(name, (counts.get(name) ?? 0) + value) };
  return { log, metrics, lines, counts };
}

/** Memory backends, with seams a test can turn: spot without capacity, SSM writes failing, every put recorded. */
export function world() {
  const clock = new ManualClock(Date.UTC(2026, 10, 28, 6, 0, 0));
  const github = new InMemoryGitHub(clock);
  const memoryEc2 = new InMemoryEc2(clock, { bootMs: 0 });
  const memorySsm = new InMemorySsm(clock);
  const sqs = new InMemorySqs(clock);
  for (const url of [LINUX_QUEUE, WARM_QUEUE]) {
    sqs.createQueue(url);
    sqs.createQueue(`${url}-dlq`);
  }
  const seams = {
    spotExhausted: false,
    fleetErrorCode: undefined as string | undefined,
    /** CreateFleet launches at most this many (a partial fulfilment). */
    launchCap: undefined as number | undefined,
    failPut: undefined as Error | undefined,
    fleetRequests: [] as CreateFleetRequest[],
    puts: [] as PutParameterRequest[],
    /** SendMessage (scale-up's own re-sends) throws this while set. */
    failSend: undefined as Error | undefined,
    sends: [] as { queueUrl: string; body: string; delaySeconds: number | undefined }[],
  };
  const ec2: Ec2Port = {
    listInstances: (filter) => memoryEc2.listInstances(filter),
    createTags: (ids, tags) => memoryEc2.createTags(ids, tags),
    deleteTags: (ids, keys) => memoryEc2.deleteTags(ids, keys),
    terminateInstances: (ids) => memoryEc2.terminateInstances(ids),
    createFleet: async (request) => {
      seams.fleetRequests.push(request);
      if (seams.fleetErrorCode !== undefined) {
        return { instanceIds: [], errors: [{ code: seams.fleetErrorCode, message: 'refused' }] };
      }
      if (seams.spotExhausted && request.capacityType === 'spot') {
        return {
          instanceIds: [],
          errors: request.overrides.map((o) => ({
            code: 'InsufficientInstanceCapacity',
            message: `no spot ${o.instanceType}`,
          })),
        };
      }
      const target = Math.min(request.targetCapacity, seams.launchCap ?? request.targetCapacity);
      return memoryEc2.createFleet({ ...request, targetCapacity: target });
    },
  };
  const ssm: SsmPort = {
    getParameter: (name) => memorySsm.getParameter(name),
    getParameters: (names) => memorySsm.getParameters(names),
    putParameter: async (request) => {
      if (seams.failPut !== undefined) throw seams.failPut;
      seams.puts.push(request);
      return memorySsm.putParameter(request);
    },
    deleteParameter: (name) => memorySsm.deleteParameter(name),
    listParameters: (path) => memorySsm.listParameters(path),
  };
  const sqsPort: SqsPort = {
    sendMessage: async (queueUrl, body, options) => {
      if (seams.failSend !== undefined) throw seams.failSend;
      seams.sends.push({ queueUrl, body, delaySeconds: options?.delaySeconds });
      return sqs.sendMessage(queueUrl, body, options);
    },
    receiveMessages: (queueUrl, options) => sqs.receiveMessages(queueUrl, options),
    deleteMessage: (queueUrl, handle) => sqs.deleteMessage(queueUrl, handle),
    getQueueDepth: (queueUrl) => sqs.getQueueDepth(queueUrl),
  };
  const deps: ScaleUpDeps = {
    github,
    ec2,
    ssm,
    sqs: sqsPort,
    clock,
    secrets: new SecretRegistry(),
    processed: recentIds(),
  };
  return { clock, github, memoryEc2, memorySsm, sqs, ec2, ssm, seams, deps };
}

export type World = ReturnType<typeof world>;

export function jobMessage(overrides: Partial<JobMessage> = {}): JobMessage {
  return {
    kind: 'job',
    deliveryId: `delivery-${overrides.jobId ?? 1}`,
    jobId: 1,
    runId: 10,
    repo: { owner: 'acme', repo: 'widgets' },
    labels: ['self-hosted', 'gpu'],
    installationId: 77,
    pool: 'linux',
    receivedAtMs: Date.UTC(2026, 10, 28, 6, 0, 0),
    ...overrides,
  };
}

/** The queue ARN of a pool of these fixtures (what the event source mapping puts on each record). */
export function queueArnOf(pool: string, kind: 'job' | 'recycle' = 'job'): string {
  return `arn:aws:sqs:eu-west-1:123456789012:ghr-test-${pool}${kind === 'recycle' ? '-recycle' : ''}`;
}

/**
 * SQS records as the event source mapping delivers them, each from the queue of the pool its
 * message names (a string body: the linux pool's queue), unless `fromPool` says otherwise.
 */
export function records(...messages: (PoolMessage | string)[]) {
  return recordsFrom(undefined, ...messages);
}

export function recordsFrom(fromPool: string | undefined, ...messages: (PoolMessage | string)[]) {
  return messages.map((m, i) => ({
    messageId: `m-${i + 1}`,
    body: typeof m === 'string' ? m : encodeMessage(m),
    eventSourceARN: queueArnOf(
      fromPool ?? (typeof m === 'string' ? 'linux' : m.pool),
      typeof m !== 'string' && m.kind === 'recycle' ? 'recycle' : 'job',
    ),
  }));
}

/** Registers the job at GitHub with a status, as the webhook's `queued` delivery implies. */
export function jobAtGitHub(w: World, jobId: number, status: 'queued' | 'in_progress' | 'completed' = 'queued') {
  w.github.addJob(
    { owner: 'acme', repo: 'widgets' },
    {
      id: jobId,
      runId: 10,
      status,
      conclusion: null,
      labels: ['self-hosted', 'gpu'],
      runnerId: null,
      runnerName: null,
    },
  );
}

export async function poolInstances(w: World, pool = 'linux') {
  return w.memoryEc2.listInstances({
    tags: { [TAG.environment]: ENVIRONMENT, [TAG.pool]: pool },
    states: ['pending', 'running'],
  });
}

/** An instance of the pool as scale-up would have launched it, with extra tags. */
export async function existingInstance(w: World, pool: string, tags: Record<string, string> = {}): Promise<string> {
  const { instanceIds } = await w.memoryEc2.createFleet({
    launchTemplateName: 'lt',
    overrides: [{ instanceType: 'm7i.large', subnetId: 'subnet-0a' }],
    targetCapacity: 1,
    capacityType: 'on-demand',
    tags: { [TAG.environment]: ENVIRONMENT, [TAG.pool]: pool, [TAG.owner]: 'acme', ...tags },
  });
  const id = instanceIds[0];
  if (id === undefined) throw new Error('not launched');
  return id;
}
