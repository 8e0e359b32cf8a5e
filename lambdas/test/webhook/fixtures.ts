import type { PoolConfig, WebhookConfig } from '../../src/config/schema.js';
import { webhookConfigSchema } from '../../src/config/schema.js';
import { TAG } from '../../src/core/tags.js';
import { recentIds } from '../../src/core/webhook/dedup.js';
import { signBody } from '../../src/core/webhook/signature.js';
import type { WebhookDeps } from '../../src/core/webhook/webhook.js';
import type { WebhookHttpEvent } from '../../src/core/webhook/http.js';
import { ManualClock } from '../../src/sim/memory/clock.js';
import { InMemoryEc2 } from '../../src/sim/memory/ec2.js';
import { InMemorySqs } from '../../src/sim/memory/sqs.js';
import { InMemorySsm } from '../../src/sim/memory/ssm.js';
import type { Log, Metrics } from '../../src/observability/types.js';
import type { Ec2Port } from '../../src/ports/index.js';

export const SECRET = 'whsec-0123456789abcdef-the-webhook-secret';
export const SECRET_PARAMETER = '/ghr/test/webhook-secret';
export const ENVIRONMENT = 'ghr-test';
export const ORG_QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/ghr-test-linux';
export const REPO_QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/ghr-test-repo';

export function pool(overrides: Partial<PoolConfig> = {}): Record<string, unknown> {
  return {
    owner: 'acme',
    ownerType: 'org',
    labels: ['gpu'],
    queueUrl: ORG_QUEUE,
    queueArn: 'arn:aws:sqs:eu-west-1:123456789012:ghr-test-linux',
    deadLetterQueueUrl: `${ORG_QUEUE}-dlq`,
    maxRunners: 5,
    launchTemplateName: 'ghr-test-linux',
    instanceTypes: ['m7i.large', 'm6i.large'],
    subnetIds: ['subnet-0a', 'subnet-0b'],
    ...overrides,
  };
}

export function rawWebhookConfig(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    environment: ENVIRONMENT,
    github: { appIdParameter: '/ghr/test/app-id', privateKeyParameter: '/ghr/test/key' },
    pools: {
      linux: pool(),
      'repo-arm': pool({
        owner: 'acme/widgets',
        ownerType: 'repo',
        labels: ['arm-build'],
        queueUrl: REPO_QUEUE,
        queueArn: 'arn:aws:sqs:eu-west-1:123456789012:ghr-test-repo',
        deadLetterQueueUrl: `${REPO_QUEUE}-dlq`,
        instanceTypes: ['m7g.large'],
      }),
    },
    webhookSecretParameter: SECRET_PARAMETER,
    maxBodyBytes: 4096,
    ...extra,
  };
}

export function webhookConfig(extra: Record<string, unknown> = {}): WebhookConfig {
  return webhookConfigSchema.parse(rawWebhookConfig(extra));
}

/** Memory backends with the secret stored, both queues created, and a counter of every EC2 tag write. */
export async function world() {
  const clock = new ManualClock(Date.UTC(2026, 10, 28, 6, 0, 0));
  const ssm = new InMemorySsm(clock);
  await ssm.putParameter({ name: SECRET_PARAMETER, value: SECRET, type: 'SecureString', overwrite: false });
  const sqs = new InMemorySqs(clock);
  sqs.createQueue(ORG_QUEUE);
  sqs.createQueue(REPO_QUEUE);
  const memoryEc2 = new InMemoryEc2(clock, { bootMs: 0 });
  const tagWrites: Record<string, string>[] = [];
  const ec2: Ec2Port = {
    listInstances: (filter) => memoryEc2.listInstances(filter),
    createTags: async (ids, tags) => {
      tagWrites.push({ ...tags });
      await memoryEc2.createTags(ids, tags);
    },
    deleteTags: (ids, keys) => memoryEc2.deleteTags(ids, keys),
    terminateInstances: (ids) => memoryEc2.terminateInstances(ids),
    createFleet: (request) => memoryEc2.createFleet(request),
  };
  return { clock, ssm, sqs, ec2, memoryEc2, tagWrites };
}

export type World = Awaited<ReturnType<typeof world>>;

export function deps(w: World, secret: () => Promise<string> = async () => SECRET): WebhookDeps {
  return { sqs: w.sqs, ec2: w.ec2, clock: w.clock, secret, deliveries: recentIds() };
}

/** A `Log` that keeps every entry, and a `Metrics` that sums counts. */
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

export async function launchRunner(w: World, tags: Record<string, string> = {}): Promise<string> {
  const { instanceIds } = await w.memoryEc2.createFleet({
    launchTemplateName: 'lt',
    overrides: [{ instanceType: 'm7i.large', subnetId: 'subnet-0a' }],
    targetCapacity: 1,
    capacityType: 'spot',
    tags: { [TAG.environment]: ENVIRONMENT, [TAG.pool]: 'linux', ...tags },
  });
  const id = instanceIds[0];
  if (id === undefined) throw new Error('no instance launched');
  return id;
}

export interface JobPayloadOptions {
  action?: string;
  jobId?: number;
  labels?: string[];
  owner?: string;
  repo?: string;
  runnerName?: string | null;
  startedAt?: string | null;
  completedAt?: string | null;
  conclusion?: string | null;
}

export function jobPayload(o: JobPayloadOptions = {}): Record<string, unknown> {
  const owner = o.owner ?? 'acme';
  const repo = o.repo ?? 'widgets';
  return {
    action: o.action ?? 'queued',
    workflow_job: {
      id: o.jobId ?? 4242,
      run_id: 99,
      status: o.action ?? 'queued',
      labels: o.labels ?? ['self-hosted', 'linux', 'gpu'],
      runner_id: null,
      runner_name: o.runnerName ?? null,
      created_at: '2026-11-28T05:59:00Z',
      started_at: o.startedAt ?? '2026-11-28T05:59:30Z',
      completed_at: o.completedAt ?? null,
      conclusion: o.conclusion ?? null,
    },
    repository: { id: 1, name: repo, full_name: `${owner}/${repo}`, owner: { login: owner } },
    organization: { login: owner },
    installation: { id: 77 },
    sender: { login: 'octocat' },
  };
}

export interface EventOptions {
  event?: string;
  delivery?: string;
  contentType?: string;
  secret?: string;
  signature?: string | null;
  base64?: boolean;
}

/** A signed function-URL event for `body` (a string is sent as is, anything else as JSON). */
export function httpEvent(body: unknown, o: EventOptions = {}): WebhookHttpEvent {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const signature = o.signature === undefined ? signBody(text, o.secret ?? SECRET) : o.signature;
  const headers: Record<string, string> = {
    'content-type': o.contentType ?? 'application/json',
    'x-github-event': o.event ?? 'workflow_job',
    'x-github-delivery': o.delivery ?? 'delivery-1',
    'user-agent': 'GitHub-Hookshot/abc',
  };
  if (signature !== null) headers['x-hub-signature-256'] = signature;
  return o.base64 === true
    ? { headers, body: Buffer.from(text, 'utf8').toString('base64'), isBase64Encoded: true }
    : { headers, body: text, isBase64Encoded: false };
}

export async function queued(w: World, queueUrl = ORG_QUEUE) {
  const depth = await w.sqs.getQueueDepth(queueUrl);
  return depth.visible + depth.delayed + depth.inFlight;
}
