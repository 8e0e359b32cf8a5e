/**
 * A world for the real agent script: one instance in the in-memory EC2, SSM and SQS behind the
 * simulator's HTTP facades, an IMDSv2 facade showing the instance's tags, the fake runner, and the
 * agent itself as a child process (own process group, so teardown ends the runner and its worker).
 *
 * AWS calls: fakes/aws-shim.mjs by default; with GHR_TEST_AWS=cli the real AWS CLI through
 * fakes/aws-route.sh (when `aws` is on PATH).
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
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock, type Ec2Port } from '../../src/ports/index.js';
import { RateLimitedError } from '../../src/errors.js';
import { Ec2Facade, SqsFacade, SsmFacade } from '../../src/sim/facades/aws/index.js';
import { ImdsFacade } from '../../src/sim/facades/imds/index.js';
import { InMemoryEc2, InMemorySqs, InMemorySsm } from '../../src/sim/memory/index.js';
import { intercept } from '../support/intercept.js';

const here = dirname(fileURLToPath(import.meta.url));
const AGENT = resolve(here, '../../../agent/ghr-agent.sh');
const FAKE_RUNNER = join(here, 'fake-runner.mjs');
const AWS_ROUTE = join(here, 'fakes/aws-route.sh');
const AWS_SHIM = join(here, 'fakes/aws-shim.mjs');

export const STATE_TAG = 'ghr:agent-state';
export const CONFIG_PATH = '/ghr/runner-config';
export const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/ghr-linux';
export const POOL = 'linux';

/**
 * `shim` by default: fast and the same on every machine, so the latency bounds hold under a loaded
 * CI. `GHR_TEST_AWS=cli` runs the real AWS CLI (when installed) against the same facades.
 */
export function awsMode(): 'cli' | 'shim' {
  if (process.env.GHR_TEST_AWS !== 'cli') return 'shim';
  try {
    execFileSync('aws', ['--version'], { stdio: 'ignore' });
    return 'cli';
  } catch {
    return 'shim';
  }
}

export interface TagWrite {
  readonly atMs: number;
  readonly value: string;
}

export interface AgentOptions {
  readonly ephemeral: boolean;
  readonly recycleTimeoutSeconds?: number;
  /** Fake runner knobs (see fake-runner.mjs). */
  readonly jobMs?: number;
  readonly exitEarly?: boolean;
  readonly configWaitSeconds?: number;
  readonly recycleResendSeconds?: number;
}

let worldCount = 0;

export class AgentWorld {
  readonly ec2 = new InMemoryEc2(systemClock);
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
  private readonly agentEc2 = intercept<Ec2Port>(this.ec2);
  private readonly facades = {
    ec2: new Ec2Facade(this.agentEc2.port),
    ssm: new SsmFacade(this.ssm),
    sqs: new SqsFacade(this.sqs),
  };
  private imds: ImdsFacade | undefined;
  private agent: ChildProcess | undefined;
  private exited: Promise<void> | undefined;

  constructor() {
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
    const fleet = await this.ec2.createFleet({
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
    const [instance] = await this.ec2.listInstances({ instanceIds: [this.instanceId] });
    return instance?.tags ?? {};
  }

  async setTag(key: string, value: string): Promise<void> {
    await this.ec2.createTags([this.instanceId], { [key]: value });
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
    const aws = awsMode() === 'cli' ? `bash ${AWS_ROUTE}` : `node ${AWS_SHIM}`;
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
    const settings: Record<string, string | number> = {
      GHR_POOL: POOL,
      GHR_EPHEMERAL: String(options.ephemeral),
      GHR_QUEUE_URL: QUEUE_URL,
      GHR_CONFIG_PATH: CONFIG_PATH,
      GHR_IMDS_ENDPOINT: this.imds?.url ?? '',
      GHR_RUNNER_DIR: this.dir,
      GHR_RUNNER_CMD: `node ${FAKE_RUNNER}`,
      GHR_RUNNER_CONFIG_CMD: `node ${FAKE_RUNNER} configure`,
      GHR_WORKER_PROCESS: this.workerName,
      GHR_POLL_SECONDS: '0.2',
      GHR_TAG_POLL_SECONDS: '0.3',
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
        .map(([k, v]) => `${k}='${String(v)}'`)
        .join('\n') + '\n',
    );
    // No profile, session or real credentials of the machine may reach the CLI.
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
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

  workerStarts(): number[] {
    return readLines(join(this.control, 'worker-started')).map(Number);
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

  async waitForExit(timeoutMs: number): Promise<number | null | undefined> {
    await waitFor(() => this.exitCode !== undefined, timeoutMs, 'the agent to exit');
    return this.exitCode;
  }

  async close(): Promise<void> {
    if (process.env.GHR_TEST_DEBUG) console.log(`agent output:\n${this.output}`);
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
