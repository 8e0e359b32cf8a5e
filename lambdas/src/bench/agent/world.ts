/**
 * A world for the real agent script: one instance in the in-memory EC2, SSM and SQS behind the
 * simulator's HTTP facades, an IMDSv2 facade showing the instance's tags, the fake runner, and the
 * agent itself as a child process (own process group, so teardown ends the runner and its worker).
 * Used by the agent's tests (lambdas/test/agent) and by `npm run bench -- --only agent`.
 *
 * AWS calls: aws-shim.mjs (`shim`), or the real AWS CLI through aws-route.sh (`cli`).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock, type Ec2Port } from '../../ports/index.js';
import { intercept } from '../../sim/ports/intercept.js';
import { TAG } from '../../core/tags.js';
import { RateLimitedError } from '../../errors.js';
import { Ec2Facade, SqsFacade, SsmFacade } from '../../sim/facades/aws/index.js';
import { ImdsFacade } from '../../sim/facades/imds/index.js';
import { InMemoryEc2, InMemorySqs, InMemorySsm } from '../../sim/memory/index.js';
import { repoRoot } from '../bundles.js';

// From the repository root, not from this module: the bench runs it bundled into dist/.run/.
const root = repoRoot();
const here = join(root, 'lambdas', 'src', 'bench', 'agent');
const AGENT = join(root, 'agent', 'ghr-agent.sh');
const FAKE_RUNNER = join(here, 'fake-runner.mjs');
const AWS_ROUTE = join(here, 'aws-route.sh');
const AWS_SHIM = join(here, 'aws-shim.mjs');

export const STATE_TAG = TAG.agentState;
const LIFECYCLE_PATH = `/latest/meta-data/tags/instance/${TAG.lifecycle}`;
export const CONFIG_PATH = '/ghr/runner-config';
export const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/ghr-linux';
export const POOL = 'linux';

/** How the agent's AWS calls reach the facades: aws-shim.mjs, or the real AWS CLI. */
export type AwsMode = 'cli' | 'shim';

/** The process environment the agent's world starts from (injected: only config.ts reads process.env). */
export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * `shim` by default: a small node program, the same on every machine. `GHR_TEST_AWS=cli` in the
 * given environment runs the real AWS CLI (when installed) against the same facades.
 */
export function awsMode(env: Environment): AwsMode {
  if (env.GHR_TEST_AWS !== 'cli') return 'shim';
  try {
    execFileSync('aws', ['--version'], { stdio: 'ignore', env: { ...env } });
    return 'cli';
  } catch {
    return 'shim';
  }
}

export interface TagWrite {
  readonly atMs: number;
  readonly value: string;
}

export interface WorldOptions {
  /** Inherited by the agent (PATH and the like), less every AWS_* variable. */
  readonly env: Environment;
  readonly aws: AwsMode;
}

export interface AgentOptions {
  readonly ephemeral: boolean;
  /** The agent's GHR_POLL_SECONDS and GHR_TAG_POLL_SECONDS; unset: the agent's own defaults. */
  readonly pollSeconds?: number;
  readonly tagPollSeconds?: number;
  readonly recycleTimeoutSeconds?: number;
  /** Fake runner knobs (see fake-runner.mjs). */
  readonly jobMs?: number;
  readonly exitEarly?: boolean;
  /** The job name the fake listener prints (`Running job: <name>`); default `build`. */
  readonly jobName?: string;
  /** The fake listener takes job after job until stopped, instead of exiting after one. */
  readonly keepListening?: boolean;
  readonly configWaitSeconds?: number;
  readonly recycleResendSeconds?: number;
}

let worldCount = 0;

export class AgentWorld {
  readonly memoryEc2 = new InMemoryEc2(systemClock);
  readonly ssm = new InMemorySsm(systemClock);
  readonly sqs = new InMemorySqs(systemClock);
  readonly dir = mkdtempSync(join(tmpdir(), 'ghr-agent-'));
  readonly control = join(this.dir, 'control');
  readonly stateDir = join(this.dir, 'state');
  /** ≤ 15 characters (the comm limit) and unique, so parallel test files cannot see each other's worker. */
  readonly workerName = `GhrW${process.pid % 100_000}x${++worldCount}`;
  instanceId = '';
  output = '';
  exitCode: number | null | undefined;
  /** Agent-state writes still to refuse with RequestLimitExceeded (EC2 throttling). */
  throttleStateWrites = 0;
  refusedStateWrites = 0;
  /** Every agent-state write that EC2 took, with its (wall-clock) time. */
  private readonly stateWrites: TagWrite[] = [];
  /** EC2 as the agent reaches it through the facade: state writes recorded, or refused while throttled. */
  private readonly agentEc2 = intercept<Ec2Port>(this.memoryEc2);
  private readonly facades = {
    ec2: new Ec2Facade(this.agentEc2.port),
    ssm: new SsmFacade(this.ssm),
    sqs: new SqsFacade(this.sqs),
  };
  private imds: ImdsFacade | undefined;
  private agent: ChildProcess | undefined;
  private exited: Promise<void> | undefined;

  constructor(private readonly options: WorldOptions) {
    this.agentEc2.before('createTags', ({ args: [, tags] }) => {
      if (tags[STATE_TAG] === undefined || this.throttleStateWrites === 0) return;
      this.throttleStateWrites--;
      this.refusedStateWrites++;
      throw new RateLimitedError('Request limit exceeded.');
    });
    this.agentEc2.after('createTags', ({ args: [, tags] }) => {
      const value = tags[STATE_TAG];
      if (value !== undefined) this.stateWrites.push({ atMs: Date.now(), value });
    });
  }

  async start(): Promise<void> {
    mkdirSync(this.control);
    this.sqs.createQueue(QUEUE_URL);
    const fleet = await this.memoryEc2.createFleet({
      launchTemplateName: 'ghr-linux',
      overrides: [{ instanceType: 'm7i.large', subnetId: 'subnet-0a' }],
      targetCapacity: 1,
      capacityType: 'on-demand',
      tags: { 'ghr:pool': POOL },
    });
    this.instanceId = fleet.instanceIds[0] ?? '';
    await Promise.all(Object.values(this.facades).map((f) => f.start()));
    this.imds = new ImdsFacade({ instanceId: this.instanceId, region: 'eu-west-1', tags: () => this.tags() });
    await this.imds.start();
  }

  async tags(): Promise<Readonly<Record<string, string>>> {
    const [instance] = await this.memoryEc2.listInstances({ instanceIds: [this.instanceId] });
    return instance?.tags ?? {};
  }

  async setTag(key: string, value: string): Promise<void> {
    await this.memoryEc2.createTags([this.instanceId], { [key]: value });
  }

  /** Stores a runner config the way scale-up does (a JIT config unless given); returns it. */
  async putConfig(value?: string): Promise<string> {
    const secret = value ?? `jit-${randomBytes(24).toString('base64url')}`;
    await this.ssm.putParameter({
      name: `${CONFIG_PATH}/${this.instanceId}`,
      value: secret,
      type: 'SecureString',
      overwrite: true,
    });
    return secret;
  }

  async configExists(): Promise<boolean> {
    const found = await this.ssm.getParameters([`${CONFIG_PATH}/${this.instanceId}`]);
    return found.length > 0;
  }

  launchAgent(options: AgentOptions): void {
    const aws = this.options.aws === 'cli' ? `bash ${AWS_ROUTE}` : `node ${AWS_SHIM}`;
    const shutdown = join(this.dir, 'shutdown.sh');
    // Records the shutdown and whether a worker existed at that moment.
    writeFileSync(
      shutdown,
      [
        '#!/usr/bin/env bash',
        'w=no',
        'for f in /proc/[0-9]*/comm; do c=""; read -r c 2>/dev/null <"$f" || continue;',
        `  [[ $c == "${this.workerName}" ]] && w=yes; done`,
        `echo "$(date +%s%3N) worker=$w" >>"${join(this.control, 'shutdown.log')}"`,
        '',
      ].join('\n'),
    );
    chmodSync(shutdown, 0o755);
    const envFile = join(this.dir, 'ghr-agent.env');
    const settings: Record<string, string | number | undefined> = {
      GHR_POOL: POOL,
      GHR_EPHEMERAL: String(options.ephemeral),
      GHR_QUEUE_URL: QUEUE_URL,
      GHR_CONFIG_PATH: CONFIG_PATH,
      GHR_IMDS_ENDPOINT: this.imds?.url ?? '',
      GHR_RUNNER_DIR: this.dir,
      GHR_RUNNER_CMD: `node ${FAKE_RUNNER}`,
      GHR_RUNNER_CONFIG_CMD: `node ${FAKE_RUNNER} configure`,
      GHR_WORKER_PROCESS: this.workerName,
      GHR_POLL_SECONDS: options.pollSeconds,
      GHR_TAG_POLL_SECONDS: options.tagPollSeconds,
      GHR_CONFIG_WAIT_SECONDS: options.configWaitSeconds ?? 10,
      GHR_RECYCLE_TIMEOUT_SECONDS: options.recycleTimeoutSeconds ?? 30,
      GHR_RECYCLE_DELAY_SECONDS: 1,
      GHR_RECYCLE_RESEND_SECONDS: options.recycleResendSeconds ?? 60,
      GHR_SHUTDOWN_CMD: shutdown,
      GHR_STATE_DIR: this.stateDir,
      GHR_AWS_CLI: aws,
    };
    writeFileSync(
      envFile,
      Object.entries(settings)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}='${String(v)}'`)
        .join('\n') + '\n',
    );
    // No profile, session or real credentials of the machine may reach the CLI.
    const inherited = Object.fromEntries(Object.entries(this.options.env).filter(([k]) => !k.startsWith('AWS_')));
    const child = spawn('bash', [AGENT], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...inherited,
        GHR_AGENT_ENV_FILE: envFile,
        AWS_ACCESS_KEY_ID: 'AKIDTEST',
        AWS_SECRET_ACCESS_KEY: 'test-secret',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        AWS_EC2_METADATA_DISABLED: 'true',
        GHR_TEST_EC2_URL: this.facades.ec2.url,
        GHR_TEST_SSM_URL: this.facades.ssm.url,
        GHR_TEST_SQS_URL: this.facades.sqs.url,
        FAKE_RUNNER_CONTROL: this.control,
        FAKE_WORKER_NAME: this.workerName,
        ...(options.jobMs === undefined ? {} : { FAKE_JOB_MS: String(options.jobMs) }),
        ...(options.exitEarly ? { FAKE_EXIT_EARLY: '1' } : {}),
        ...(options.jobName === undefined ? {} : { FAKE_JOB_NAME: options.jobName }),
        ...(options.keepListening ? { FAKE_KEEP_LISTENING: '1' } : {}),
      },
    });
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    this.exited = new Promise((done) =>
      child.on('exit', (code) => {
        this.exitCode = code;
        done();
      }),
    );
    this.agent = child;
  }

  /** Creates a control file the fake runner or its worker waits for. */
  signal(name: 'start-job' | 'finish-job'): void {
    writeFileSync(join(this.control, name), '');
  }

  shutdownLog(): string[] {
    return readLines(join(this.control, 'shutdown.log'));
  }

  /** sha256 of the arguments the fake config.sh got (token fallback), if it ran. */
  configuredDigest(): string | undefined {
    return readLines(join(this.control, 'configured'))[0];
  }

  /** `<pid> <ms> <sha256>` per runner start. */
  runs(): { startedMs: number; configDigest: string }[] {
    return readLines(join(this.control, 'runs.log')).map((line) => {
      const [, ms, digest] = line.split(' ');
      return { startedMs: Number(ms), configDigest: digest ?? '' };
    });
  }

  /** When the fake runner took each job, recorded before its "Running job" line (fake-runner.mjs). */
  jobStarts(): number[] {
    return readLines(join(this.control, 'job-started')).map(Number);
  }

  /** When each job's worker had exited, recorded before the listener's "completed" line (fake-runner.mjs). */
  jobEnds(): number[] {
    return readLines(join(this.control, 'job-finished')).map(Number);
  }

  /** How often the agent has read its `ghr:lifecycle` tag through instance metadata. */
  lifecycleReads(): number {
    return this.imds?.calls()[`GET ${LIFECYCLE_PATH}`] ?? 0;
  }

  /**
   * Waits until the agent has read its lifecycle tag `count` more times. The agent's loop is
   * serial (observe, read the tag, publish), so once read k + 1 is served, everything the agent
   * does with read k, and with all it observed before, is done: "the agent went round its loop k
   * times", an order, however fast or slow the machine.
   */
  async lifecycleReadsMore(count: number, timeoutMs: number): Promise<void> {
    const target = this.lifecycleReads() + count;
    await waitFor(() => this.lifecycleReads() >= target, timeoutMs, `${count} more reads of the lifecycle tag`);
  }

  writes(): readonly TagWrite[] {
    return this.stateWrites;
  }

  /** Every file the agent keeps (state dir), concatenated: a secret must not be found there. */
  agentFiles(): string {
    if (!existsSync(this.stateDir)) return '';
    return readdirSync(this.stateDir)
      .map((f) => readFileSync(join(this.stateDir, f), 'utf8'))
      .join('\n');
  }

  /** SIGKILL to the agent's own process, not its runner (the simulator's agent-death fault). */
  async killAgent(): Promise<void> {
    this.agent?.kill('SIGKILL');
    await this.exited;
  }

  async waitForExit(timeoutMs: number): Promise<number | null | undefined> {
    await waitFor(() => this.exitCode !== undefined, timeoutMs, 'the agent to exit');
    return this.exitCode;
  }

  async close(): Promise<void> {
    const child = this.agent;
    if (child?.pid !== undefined && this.exitCode === undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      await this.exited;
    }
    // The worker of an orphaned listener, or a runner left after the agent exited: same process group.
    if (child?.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // nothing left
      }
    }
    child?.stdout?.destroy();
    child?.stderr?.destroy();
    await Promise.all([...Object.values(this.facades).map((f) => f.close()), this.imds?.close()]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

function readLines(path: string): string[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '');
}
