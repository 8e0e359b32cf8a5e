import { randomBytes } from 'node:crypto';
import type { ScaleDownConfig } from '../../config/schema.js';
import type { ScaleDownStrategy } from '../../core/strategy.js';
import { createScaleDownHandler } from '../../functions/scale-down/handler.js';
import type { Log, Metrics } from '../../observability/types.js';
import type { GitHubPort, JitConfig } from '../../ports/index.js';
import { HttpDoor } from '../http/door.js';
import { lambdaContext } from '../http/delivery.js';
import { CountingMetrics, SinkLogger, type LogSink } from '../http/logging.js';
import { Quiescence } from '../http/quiescence.js';
import { SIM_PARAMETERS, startHttpStack } from '../http/stack.js';
import type { World } from '../world/world.js';
import { gatePorts } from './gate-ports.js';
import type { FaultDoor, OpenDoor } from './run.js';

/** Door log lines kept per run (a 6 h run writes a few thousand). */
const MAX_LINES = 200_000;

/** Handler metrics of webhook and scale-up that mean trouble, reported as degradation. */
const TROUBLE = /error|fail|throttl|ratelimit|retr|dead|invalid|rejected|skipped/i;

/**
 * The HTTP door of the fault matrix (issue 8: every class through the facades for at least one
 * seed): the real webhook and scale-up handlers driven by the world as in `runHttpSimulation`
 * (http/door.ts), and each scale-down run of the fault schedule a real scale-down handler (one
 * cold container per invocation, as after a crash) whose production ports sit behind the crash
 * gate (`gatePorts`, the in-process door's step names). A dead invocation's call parks on virtual
 * time for ever, so quiescence does not wait for it. GitHub 5xx, timeouts and rate limits come
 * from the world's ports behind the GitHub facade and reach Octokit as HTTP answers with GitHub's
 * headers (facades/github/errors.ts); EC2 throttling as `RequestLimitExceeded`.
 *
 * The world's JIT configs are `JIT<id>`; behind the facade they are reshaped like GitHub's (base64
 * JSON with random credentials), so the log scan can tell one from any other string.
 */
export function httpFaultDoor(): FaultDoor {
  let quiescence = new Quiescence();
  return {
    name: 'http',
    registration: 'jit',
    settle: () => quiescence.settle(),
    open: async (world, run) => {
      if (!run) throw new Error('the HTTP door needs the scale-down config and strategy');
      quiescence = new Quiescence();
      return openHttpDoor(world, quiescence, run);
    },
  };
}

async function openHttpDoor(
  world: World,
  quiescence: Quiescence,
  run: { readonly config: ScaleDownConfig; readonly strategy: ScaleDownStrategy },
): Promise<OpenDoor> {
  const issued: string[] = [];
  const lines: string[] = [];
  const sink: LogSink = (level, service, message, attributes) => {
    if (lines.length >= MAX_LINES) return;
    const t = ((world.now - world.startMs) / 1000).toFixed(3);
    lines.push(`${t} ${service} ${level} ${message}${attributes === undefined ? '' : ` ${json(attributes)}`}`);
  };
  const stack = await startHttpStack(world, quiescence, { github: (backend) => withGitHubJit(backend, issued) });
  const door = new HttpDoor({ world, stack, quiescence, config: run.config, strategy: run.strategy, sink });
  // A crashed invocation's call: parked on virtual time for ever (never resolves).
  const parkedClock = quiescence.clock({ now: () => world.now, sleep: () => new Promise<void>(() => {}) });
  const hang = (): Promise<never> =>
    parkedClock.sleep(0).then(() => Promise.reject(new Error('a crashed invocation resumed')));
  let invocations = 0;
  return {
    portsFor: (gate, log) => gatePorts(stack.portsFor(log), gate, hang),
    invoke: (name, body) => quiescence.run(name, body),
    runScaleDown: ({ slot, ports, config, strategy, log, metrics }) => {
      const handler = createScaleDownHandler({
        rawConfig: JSON.stringify({ ...config, github: stack.githubConfig }),
        logger: new SinkLogger('scale-down', (level, _service, message, attributes) =>
          toLog(log, level, message, attributes),
        ),
        metrics: new ForwardingMetrics(metrics),
        timeoutEarly: false,
        deps: { ports, strategy },
      });
      return handler({}, lambdaContext('scale-down', `fault-${slot}-${++invocations}`));
    },
    writesRunnerConfigs: true,
    start: (endMs) => door.attach(undefined, endMs),
    secrets: () => [...issued, ...appKeyPieces(world)],
    lines: () => lines,
    facts: () => {
      const facts = new Map<string, number>();
      const add = (key: string, n: number): void => {
        if (n > 0) facts.set(key, n);
      };
      const s = door.stats;
      add(
        'webhook answers non-2xx',
        Object.entries(s.webhookStatus).reduce((n, [k, v]) => n + (/^2/.test(k) ? 0 : v), 0),
      );
      add('scale-up messages retried', s.scaleUpRetried);
      add('scale-up invocations failed', s.scaleUpErrors);
      add('scale-up messages dead-lettered', s.deadLettered);
      add('agent recycle timeouts', s.recycle.timeouts);
      for (const [service, totals] of Object.entries(door.metricTotals())) {
        for (const [name, n] of Object.entries(totals)) if (TROUBLE.test(name)) add(`${service} metric ${name}`, n);
      }
      return facts;
    },
    // Let the last invocations finish or park (a crashed run's calls stay parked), then close.
    close: async () => {
      try {
        await quiescence.settle();
      } finally {
        await stack.close();
      }
    },
  };
}

function json(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '[unserialisable]';
  }
}

function toLog(log: Log, level: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR', message: string, attributes: unknown): void {
  let record: Record<string, unknown> | undefined;
  if (typeof attributes === 'object' && attributes !== null && !Array.isArray(attributes)) {
    const entries: [string, unknown][] = Object.entries(attributes);
    record = Object.fromEntries(entries);
  }
  if (level === 'DEBUG') log.debug(message, record);
  else if (level === 'INFO') log.info(message, record);
  else if (level === 'WARN') log.warn(message, record);
  else log.error(message, record);
}

/** The handler's Powertools metrics, counted into the fault schedule's recording (degradation). */
class ForwardingMetrics extends CountingMetrics {
  constructor(private readonly target: Metrics) {
    super('scale-down');
  }

  override addMetric(name: string, unit: Parameters<CountingMetrics['addMetric']>[1], value: number): this {
    super.addMetric(name, unit, value);
    this.target.count(name, value);
    return this;
  }
}

/** The app key as the handlers hold it: base64 PEM in SSM, the PEM itself, and each of its body lines. */
function appKeyPieces(world: World): string[] {
  const stored = world.ssm.parameters.get(SIM_PARAMETERS.privateKey)?.value;
  if (stored === undefined) return [];
  const pem = Buffer.from(stored, 'base64').toString('utf8');
  const body = pem.split('\n').filter((line) => line.length >= 40 && !line.startsWith('-----'));
  return [stored, pem, ...body];
}

/**
 * GitHub's `encoded_jit_config` is base64 of the runner's `.runner`, `.credentials` and
 * `.credentials_rsaparameters` files (actions/runner, JitConfig); the world's is a placeholder.
 */
function githubShapedJit(jit: JitConfig): string {
  const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64');
  return b64({
    '.runner': b64({ agentId: jit.runnerId, agentName: jit.runnerName, poolId: 1, serverUrl: 'https://pipelines' }),
    '.credentials': b64({ scheme: 'OAuth', data: { clientId: randomBytes(16).toString('hex') } }),
    '.credentials_rsaparameters': randomBytes(96).toString('base64'),
  });
}

function withGitHubJit(backend: GitHubPort, issued: string[]): GitHubPort {
  return {
    listRunners: (owner) => backend.listRunners(owner),
    getRunner: (owner, id) => backend.getRunner(owner, id),
    deleteRunner: (owner, id) => backend.deleteRunner(owner, id),
    setCustomLabels: (owner, id, labels) => backend.setCustomLabels(owner, id, labels),
    removeCustomLabels: (owner, id) => backend.removeCustomLabels(owner, id),
    createRegistrationToken: (owner) => backend.createRegistrationToken(owner),
    generateJitConfig: async (owner, request) => {
      const jit = await backend.generateJitConfig(owner, request);
      const encodedJitConfig = githubShapedJit(jit);
      issued.push(encodedJitConfig);
      return { ...jit, encodedJitConfig };
    },
    getJob: (repo, id) => backend.getJob(repo, id),
    listRunnerGroups: (org) => backend.listRunnerGroups(org),
    createRunnerGroup: (org, group) => backend.createRunnerGroup(org, group),
    addRunnerToGroup: (org, groupId, id) => backend.addRunnerToGroup(org, groupId, id),
  };
}
