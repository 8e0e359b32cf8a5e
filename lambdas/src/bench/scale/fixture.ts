import { generateKeyPairSync } from 'node:crypto';
import { createAwsClients } from '../../adapters/aws/clients.js';
import { createEc2Port } from '../../adapters/aws/ec2.js';
import { createSqsPort } from '../../adapters/aws/sqs.js';
import { createSsmPort } from '../../adapters/aws/ssm.js';
import { OctokitGitHub } from '../../adapters/github/index.js';
import { scaleDownConfigSchema, type PoolConfig, type ScaleDownConfig } from '../../config/schema.js';
import { TAG, encodeAgentState } from '../../core/tags.js';
import type { Ports } from '../../ports/index.js';
import { Ec2Facade, SqsFacade, SsmFacade } from '../../sim/facades/aws/index.js';
import { GitHubFacade, InMemoryGitHub, StaticAppDirectory } from '../../sim/facades/github/index.js';
import { InMemoryEc2, InMemorySqs, InMemorySsm, ManualClock } from '../../sim/memory/index.js';
import { withAgentAcks } from './acking-ec2.js';
import { withLatency } from './latency.js';
import type { BenchOwner } from './owners.js';

const APP_ID = '31337';
const APP_ID_PARAMETER = '/bench/github/app-id';
const KEY_PARAMETER = '/bench/github/private-key';
const ENVIRONMENT = 'bench';
const MINUTE = 60_000;

export interface ScaleFixture {
  readonly ports: Ports;
  readonly config: ScaleDownConfig;
  readonly clock: ManualClock;
  readonly facade: GitHubFacade;
  /** Instances still pending or running, and runner registrations still listed. */
  remaining(): Promise<{ instances: number; runners: number }>;
  close(): Promise<void>;
}

function poolConfig(o: BenchOwner): PoolConfig {
  return {
    owner: o.key,
    ownerType: o.owner.kind,
    labels: [`bench-${o.pool}`],
    exactMatch: false,
    priority: 999,
    ephemeral: false,
    queueUrl: `https://sqs.eu-west-1.amazonaws.com/123456789012/bench-${o.pool}`,
    queueArn: `arn:aws:sqs:eu-west-1:123456789012:bench-${o.pool}`,
    deadLetterQueueUrl: `https://sqs.eu-west-1.amazonaws.com/123456789012/bench-${o.pool}-dlq`,
    runnerGroupId: 1,
    maxRunners: Math.max(1, o.runners),
    // Idle quota 0: every idle runner is surplus.
    idleConfig: [],
    warmPool: [],
    rerunOnSpotInterruption: false,
    drainOnRebalanceRecommendation: false,
    minimumRunningTimeMinutes: 5,
    bootTimeoutMinutes: 8,
    maxJobDurationMinutes: 360,
    maximumLifetimeHours: 24,
    launchTemplateName: `bench-${o.pool}`,
    instanceTypes: ['m5.large'],
    subnetIds: ['subnet-0a'],
    capacityType: 'on-demand',
    spotAllocationStrategy: 'price-capacity-optimized',
    instanceTags: {},
    onDemandFallback: true,
  };
}

/** Launches, registers and tags every owner's instances directly on the backends (no HTTP, not counted). */
async function populate(owners: readonly BenchOwner[], clock: ManualClock, ec2: InMemoryEc2, github: InMemoryGitHub) {
  for (const o of owners) {
    if (o.runners === 0) continue;
    const pool = poolConfig(o);
    const { instanceIds } = await ec2.createFleet({
      launchTemplateName: pool.launchTemplateName,
      overrides: [{ instanceType: 'm5.large', subnetId: 'subnet-0a' }],
      targetCapacity: o.runners,
      capacityType: 'on-demand',
      tags: { [TAG.environment]: ENVIRONMENT, [TAG.pool]: o.pool, [TAG.owner]: o.key },
    });
    for (const instanceId of instanceIds) {
      const jit = await github.generateJitConfig(o.owner, { name: instanceId, labels: pool.labels, runnerGroupId: 1 });
      github.setStatus(jit.runnerId, 'online');
      await ec2.createTags([instanceId], {
        [TAG.runnerId]: String(jit.runnerId),
        [TAG.agentState]: encodeAgentState({ state: 'idle', atMs: clock.now() }),
      });
    }
  }
  // Past the minimum running time: every runner is surplus now.
  clock.advance(10 * MINUTE);
}

/**
 * The scale benchmark's world (issue 4, "Figures"): production Octokit adapter → GitHub facade
 * → (real per-call latency) → InMemoryGitHub, and production AWS SDK adapters → EC2/SSM/SQS
 * facades → in-memory backends, all on one ManualClock, so the settle wait costs no real time
 * and JWT and token checks agree with the adapter's clock. The adapter's GitHub limiter is off.
 */
export async function startScaleFixture(owners: readonly BenchOwner[], latencyMs: number): Promise<ScaleFixture> {
  const clock = new ManualClock(Date.now());
  const github = new InMemoryGitHub(clock);
  const ec2 = new InMemoryEc2(clock);
  const ssm = new InMemorySsm(clock);
  const sqs = new InMemorySqs(clock);

  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const directory = new StaticAppDirectory().addApp(APP_ID, publicKey);
  for (const o of owners) directory.addInstallation(APP_ID, o.installationId, [o.account]);
  await ssm.putParameter({ name: APP_ID_PARAMETER, value: APP_ID, type: 'String', overwrite: true });
  const key = Buffer.from(pem).toString('base64');
  await ssm.putParameter({ name: KEY_PARAMETER, value: key, type: 'SecureString', overwrite: true });
  for (const o of owners) sqs.createQueue(poolConfig(o).queueUrl);
  await populate(owners, clock, ec2, github);

  const facade = new GitHubFacade({ backend: withLatency(github, latencyMs), directory, clock });
  const ec2Facade = new Ec2Facade(withAgentAcks(ec2, clock));
  const ssmFacade = new SsmFacade(ssm);
  const sqsFacade = new SqsFacade(sqs);
  const servers = [facade, ec2Facade, ssmFacade, sqsFacade];
  const { baseUrl } = await facade.start();
  const clients = createAwsClients({
    region: 'eu-west-1',
    endpoints: { ec2: await ec2Facade.start(), ssm: await ssmFacade.start(), sqs: await sqsFacade.start() },
    credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'not-a-secret' },
    maxAttempts: 1,
  });
  const ssmPort = createSsmPort(clients.ssm);
  const githubConfig = {
    apiUrl: baseUrl,
    appIdParameter: APP_ID_PARAMETER,
    privateKeyParameter: KEY_PARAMETER,
    installationIds: {},
    secretCacheSeconds: 300,
  };
  const ports: Ports = {
    // The limiter off: its waits sleep on the ManualClock, which jumps at once, so concurrent waits would
    // add up; a virtual scheduler for production-throttled rows is issue 17's next step.
    github: new OctokitGitHub({ config: githubConfig, ssm: ssmPort, clock, settings: { throttle: false } }),
    ec2: createEc2Port(clients.ec2),
    ssm: ssmPort,
    sqs: createSqsPort(clients.sqs),
    clock,
  };
  const config = scaleDownConfigSchema.parse({
    environment: ENVIRONMENT,
    github: githubConfig,
    pools: Object.fromEntries(owners.map((o) => [o.pool, poolConfig(o)])),
    lease: { parameterName: '/bench/scale-down/lease' },
    runnerConfigPath: '/bench/runners',
  });
  return {
    ports,
    config,
    clock,
    facade,
    remaining: async () => {
      const live = await ec2.listInstances({ states: ['pending', 'running'] });
      let runners = 0;
      for (const o of owners) runners += (await github.listRunners(o.owner)).length;
      return { instances: live.length, runners };
    },
    close: async () => {
      clients.ec2.destroy();
      clients.ssm.destroy();
      clients.sqs.destroy();
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}
