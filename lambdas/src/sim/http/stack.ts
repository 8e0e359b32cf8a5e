import { generateKeyPairSync } from 'node:crypto';
import { createAwsClients } from '../../adapters/aws/clients.js';
import { createEc2Port } from '../../adapters/aws/ec2.js';
import { createSqsPort } from '../../adapters/aws/sqs.js';
import { createSsmPort } from '../../adapters/aws/ssm.js';
import { OctokitGitHub } from '../../adapters/github/index.js';
import type { GitHubConfig } from '../../config/schema.js';
import type { Log } from '../../observability/types.js';
import type { Ports } from '../../ports/index.js';
import { SIM_PARAMETERS } from '../control-plane/configs.js';
import { Ec2Facade, SqsFacade, SsmFacade } from '../facades/aws/index.js';
import { GitHubFacade, StaticAppDirectory } from '../facades/github/index.js';
import { InProcessEc2, InProcessGitHub, InProcessSqs, InProcessSsm } from '../ports/index.js';
import type { World } from '../world/world.js';
import type { Quiescence } from './quiescence.js';

export const SIM_APP_ID = '31337';

export interface HttpStack {
  readonly github: GitHubFacade;
  readonly ec2: Ec2Facade;
  readonly ssm: SsmFacade;
  readonly sqs: SqsFacade;
  /** The `github` block of every handler's configuration: the facade's URL and the SSM names. */
  readonly githubConfig: GitHubConfig;
  /** Production adapters for one Lambda "container": its own SDK clients, Octokit and caches. */
  portsFor(log: Log): Ports;
  /** `--serve`: how an external caller's call latency passes (sim/http/quiescence.ts). */
  onExternalLatency(sleep: (ms: number) => Promise<void>): void;
  close(): Promise<void>;
}

/**
 * The world behind the HTTP facades: GitHub REST over the in-process GitHubPort (so calls are
 * counted and rate limited by the world), EC2 Query, SSM JSON 1.1 and SQS JSON 1.0 over the
 * in-process AWS ports, all on 127.0.0.1 port 0 and on the world's virtual clock (JWT `iat`/`exp`
 * and installation-token expiry follow virtual time). A GitHub App with a fresh RSA key pair is
 * installed on every account the world installed it on; its id and base64 PEM go into the
 * world's SSM where the handlers' configuration points.
 */
export async function startHttpStack(world: World, quiescence: Quiescence): Promise<HttpStack> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privatePem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const directory = new StaticAppDirectory().addApp(SIM_APP_ID, publicKey);
  for (const [login, installationId] of world.github.installations()) {
    directory.addInstallation(SIM_APP_ID, installationId, [login]);
  }
  for (const [name, value] of [
    [SIM_PARAMETERS.appId, SIM_APP_ID],
    [SIM_PARAMETERS.privateKey, Buffer.from(privatePem).toString('base64')],
  ] as const) {
    world.ssm.put({ name, value, type: name === SIM_PARAMETERS.appId ? 'String' : 'SecureString', overwrite: true });
  }
  world.setLatencySleep((inner) => quiescence.serverSleep(inner));

  const clock = world.engine.clock;
  const github = new GitHubFacade({
    backend: new InProcessGitHub(world),
    directory,
    clock,
    // The budget the world enforces per owner, so the headers tell a client what its next 403 will.
    rateBudgets: (key) => world.counters.primaryBudget(key),
    // The world counts GitHub's secondary limits itself, for both doors (sim/ports/counters.ts).
    secondaryLimits: false,
  });
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
      onExternalLatency: (sleep) => quiescence.onExternalLatency(sleep),
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
