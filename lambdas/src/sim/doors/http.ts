import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context } from 'aws-lambda';
import type { ScaleUpConfig } from '../../config/schema.js';
import { createScaleDownHandler } from '../../functions/scale-down/handler.js';
import { createScaleUpHandler } from '../../functions/scale-up/handler.js';
import { createWebhookHandler } from '../../functions/webhook/handler.js';
import { SecretRegistry } from '../../observability/redact.js';
import type { Log } from '../../observability/types.js';
import type { Ports } from '../../ports/index.js';
import { SIM_PARAMETERS } from '../control-plane/configs.js';
import { CountingMetrics, SinkLogger, type LogSink } from '../http/logging.js';
import { Quiescence } from '../http/quiescence.js';
import { startHttpStack, type HttpStack } from '../http/stack.js';
import type { CallGate } from '../ports/gate.js';
import { gatePorts } from '../ports/gate-ports.js';
import type { Invocation } from '../world/lambda/service.js';
import type { World } from '../world/world.js';
import type { ControlPlaneSpec, Door, OpenDoor } from './types.js';

/** A Lambda context for one invocation: its remaining time runs on the world's virtual clock. */
export function lambdaContext(world: World, invocation: Invocation): Context {
  const name = invocation.functionName;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `sim-${name}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:sim-${name}`,
    memoryLimitInMB: '256',
    awsRequestId: invocation.requestId,
    logGroupName: `/aws/lambda/sim-${name}`,
    logStreamName: 'simulator',
    getRemainingTimeInMillis: () => Math.max(0, invocation.deadlineMs - world.now),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Log attributes as the core passes them: a record, or nothing. */
function record(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return Object.fromEntries(Object.entries(value));
}

/** Powertools Metrics that count into the current invocation. */
class InvocationMetrics extends CountingMetrics {
  constructor(
    service: string,
    private readonly current: () => Invocation | undefined,
  ) {
    super(service);
  }

  override addMetric(name: string, unit: Parameters<CountingMetrics['addMetric']>[1], value: number): this {
    super.addMetric(name, unit, value);
    this.current()?.metrics.count(name, value);
    return this;
  }
}

/**
 * The HTTP door: each function is the real middy-wrapped handler (one warm container per
 * function), with its own production adapters (Octokit as a GitHub App, AWS SDK v3 clients)
 * pointed at the facades over the world. The invocation in progress is carried in
 * AsyncLocalStorage, so the container's ports pass that invocation's gate (a crash or Lambda's
 * timeout ends it) and its log lines and metrics land on it. Quiescence keeps virtual time still
 * while a handler works or a request is in flight.
 */
export function httpDoor(): Door {
  const quiescence = new Quiescence();
  return {
    name: 'http',
    settle: quiescence.settle,
    open: (world, spec) => openHttpDoor(world, spec, quiescence),
  };
}

async function openHttpDoor(world: World, spec: ControlPlaneSpec, quiescence: Quiescence): Promise<OpenDoor> {
  const stack = await startHttpStack(world, quiescence);
  const current = new AsyncLocalStorage<Invocation>();
  const gate: CallGate = { crashed: (step) => current.getStore()?.gate.crashed(step) ?? false };
  // A dead invocation's call is parked on virtual time for ever, so quiescence does not wait for it.
  const parkedClock = quiescence.clock({ now: () => world.now, sleep: () => new Promise<void>(() => {}) });
  const hang = (): Promise<never> =>
    parkedClock.sleep(0).then(() => Promise.reject(new Error('a dead invocation resumed')));
  const log: Log = {
    debug: (m, a) => current.getStore()?.log.debug(m, a),
    info: (m, a) => current.getStore()?.log.info(m, a),
    warn: (m, a) => current.getStore()?.log.warn(m, a),
    error: (m, a) => current.getStore()?.log.error(m, a),
  };
  const sink: LogSink = (level, _service, message, attributes) => {
    const method = level === 'DEBUG' ? 'debug' : level === 'INFO' ? 'info' : level === 'WARN' ? 'warn' : 'error';
    log[method](message, record(attributes));
  };
  const container = (name: string) => ({
    logger: new SinkLogger(name, sink),
    metrics: new InvocationMetrics(name, () => current.getStore()),
    timeoutEarly: false,
  });
  const ports = (): Ports => gatePorts(stack.portsFor(log), gate, hang);
  const { configs, strategy } = spec;
  const github = stack.githubConfig;
  const webhook = createWebhookHandler({
    rawConfig: JSON.stringify({ ...configs.webhook, github }),
    ...container('webhook'),
    deps: ports(),
  });
  const scaleDown = createScaleDownHandler({
    rawConfig: JSON.stringify({ ...configs.scaleDown, github }),
    ...container('scale-down'),
    deps: { ports: ports(), strategy },
  });
  const run = <T>(invocation: Invocation, body: () => Promise<T>): Promise<T> =>
    quiescence.run(invocation.functionName, () => current.run(invocation, body));
  return {
    stack,
    code: {
      webhook: (event, invocation) => run(invocation, () => webhook(event, lambdaContext(world, invocation))),
      scaleUp: (config: ScaleUpConfig) => {
        // Its own secret registry: a day of JIT configs must not grow the process-wide one.
        const handler = createScaleUpHandler(
          { rawConfig: JSON.stringify({ ...config, github }), ...container('scale-up'), deps: ports() },
          { secrets: new SecretRegistry() },
        );
        return (event, invocation) => run(invocation, () => handler(event, lambdaContext(world, invocation)));
      },
      scaleDown: (event, invocation) => run(invocation, () => scaleDown(event, lambdaContext(world, invocation))),
    },
    secrets: () => appKeyPieces(world),
    facts: () => facts(stack, quiescence),
    close: async () => {
      try {
        await quiescence.settle();
      } finally {
        await stack.close();
      }
    },
  };
}

function facts(stack: HttpStack, quiescence: Quiescence): Record<string, unknown> {
  return {
    requests: quiescence.requests,
    github: stack.github.calls(),
    ec2: stack.ec2.calls(),
    ssm: stack.ssm.calls(),
    sqs: stack.sqs.calls(),
  };
}

/** The App key as the handlers hold it: base64 PEM in SSM, the PEM itself, and each of its body lines. */
function appKeyPieces(world: World): string[] {
  const stored = world.ssm.parameters.get(SIM_PARAMETERS.privateKey)?.value;
  if (stored === undefined) return [];
  const pem = Buffer.from(stored, 'base64').toString('utf8');
  const body = pem.split('\n').filter((line) => line.length >= 40 && !line.startsWith('-----'));
  return [stored, pem, ...body];
}
