import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createAwsClients } from '../../adapters/aws/clients.js';
import { createEc2Port } from '../../adapters/aws/ec2.js';
import { createSqsPort } from '../../adapters/aws/sqs.js';
import { createSsmPort } from '../../adapters/aws/ssm.js';
import { OctokitGitHub } from '../../adapters/github/index.js';
import type { GitHubConfig } from '../../config/schema.js';
import type { Log } from '../../observability/types.js';
import type { GitHubPort, Ports } from '../../ports/index.js';
import { ownerKey } from '../../ports/github.js';
import { Ec2Facade, SqsFacade, SsmFacade } from '../facades/aws/index.js';
import { GitHubFacade, StaticAppDirectory } from '../facades/github/index.js';
import { InProcessEc2, InProcessGitHub, InProcessSqs, InProcessSsm } from '../ports/index.js';
import type { World } from '../world/world.js';
import type { Quiescence } from './quiescence.js';

/** Where the handlers' configuration finds its secrets in the world's SSM (the Terraform module's names, under /sim). */
export const SIM_PARAMETERS = {
  appId: '/sim/github/app-id',
  privateKey: '/sim/github/private-key',
  webhookSecret: '/sim/github/webhook-secret',
} as const;

export const SIM_APP_ID = '31337';
/** The scale-up config's `instanceArnPrefix` in the simulator's account and region. */
export const SIM_INSTANCE_ARN_PREFIX = 'arn:aws:ec2:eu-west-1:123456789012:instance/';
const FIRST_INSTALLATION = 5001;

export interface HttpStack {
  readonly github: GitHubFacade;
  readonly ec2: Ec2Facade;
  readonly ssm: SsmFacade;
  readonly sqs: SqsFacade;
  /** The `github` block of every handler's configuration: the facade's URL and the SSM names. */
  readonly githubConfig: GitHubConfig;
  /** Production adapters for one Lambda "container": its own SDK clients, Octokit and caches. */
  portsFor(log: Log): Ports;
  close(): Promise<void>;
}

/**
 * The world behind the HTTP facades: GitHub REST over the in-process GitHubPort (so calls are
 * counted and rate limited by the world), EC2 Query, SSM JSON 1.1 and SQS JSON 1.0 over the
 * in-process AWS ports, all on 127.0.0.1 port 0 and on the world's virtual clock (JWT `iat`/`exp`
 * and installation-token expiry follow virtual time). A GitHub App with a fresh RSA key pair is
 * installed on every pool owner; its id and base64 PEM, and a webhook secret, go into the world's
 * SSM where the handlers' configuration points.
 */
export interface HttpStackOptions {
  /** Wraps the world's GitHub port behind the facade (the fault door: JIT configs shaped like GitHub's). */
  readonly github?: (backend: GitHubPort) => GitHubPort;
}

export async function startHttpStack(
  world: World,
  quiescence: Quiescence,
  options: HttpStackOptions = {},
): Promise<HttpStack> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privatePem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const directory = new StaticAppDirectory().addApp(SIM_APP_ID, publicKey);
  const owners = [...new Set([...world.pools.values()].map((pool) => ownerKey(pool.owner)))].sort();
  for (const [index, owner] of owners.entries()) {
    directory.addInstallation(SIM_APP_ID, FIRST_INSTALLATION + index, [owner]);
  }
  for (const [name, value] of [
    [SIM_PARAMETERS.appId, SIM_APP_ID],
    [SIM_PARAMETERS.privateKey, Buffer.from(privatePem).toString('base64')],
    [SIM_PARAMETERS.webhookSecret, randomBytes(24).toString('hex')],
  ] as const) {
    world.ssm.put({ name, value, type: name === SIM_PARAMETERS.appId ? 'String' : 'SecureString', overwrite: true });
  }
  world.latencySleep = quiescence.serverSleep(world.latencySleep);

  const clock = world.engine.clock;
  const backend = new InProcessGitHub(world);
  const github = new GitHubFacade({ backend: options.github ? options.github(backend) : backend, directory, clock });
  const ec2 = new Ec2Facade(new InProcessEc2(world));
  const ssm = new SsmFacade(new InProcessSsm(world));
  const sqs = new SqsFacade(new InProcessSqs(world));
  const started: { close(): Promise<void> }[] = [];
  try {
    const { baseUrl } = await github.start();
    started.push(github);
    const endpoints = { ec2: await ec2.start(), ssm: '', sqs: '' };
    started.push(ec2);
    endpoints.ssm = await ssm.start();
    started.push(ssm);
    endpoints.sqs = await sqs.start();
    started.push(sqs);
    const githubConfig: GitHubConfig = {
      apiUrl: baseUrl,
      appIdParameter: SIM_PARAMETERS.appId,
      privateKeyParameter: SIM_PARAMETERS.privateKey,
      installationIds: {},
      secretCacheSeconds: 300,
    };
    const destroy: (() => void)[] = [];
    return {
      github,
      ec2,
      ssm,
      sqs,
      githubConfig,
      portsFor: (log) => {
        const clients = createAwsClients({
          endpoints,
          region: 'eu-west-1',
          credentials: { accessKeyId: 'AKIDSIMULATOR', secretAccessKey: 'not-a-secret' },
          maxAttempts: 1,
          requestHandler: quiescence.requestHandler(),
        });
        destroy.push(() => {
          clients.ec2.destroy();
          clients.ssm.destroy();
          clients.sqs.destroy();
        });
        const handlerClock = quiescence.clock(clock);
        const awsSsm = createSsmPort(clients.ssm);
        const octokit = new OctokitGitHub({
          config: githubConfig,
          ssm: awsSsm,
          clock: handlerClock,
          // Bottleneck (throttling) and plugin-retry wait on real timers: off in virtual time.
          settings: { fetch: quiescence.fetch(), throttle: false, retry: false, log },
        });
        return {
          github: octokit,
          ec2: createEc2Port(clients.ec2),
          ssm: awsSsm,
          sqs: createSqsPort(clients.sqs),
          clock: handlerClock,
        };
      },
      close: async () => {
        for (const d of destroy) d();
        await Promise.all(started.map((s) => s.close()));
      },
    };
  } catch (error) {
    await Promise.all(started.map((s) => s.close()));
    throw error;
  }
}
