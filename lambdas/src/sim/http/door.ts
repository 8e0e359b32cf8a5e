import {
  scaleUpConfigSchema,
  webhookConfigSchema,
  type ScaleDownConfig,
  type ScaleUpConfig,
  type WebhookConfig,
} from '../../config/schema.js';
import type { ScaleDownReport, ScaleDownStrategy } from '../../core/strategy.js';
import { createScaleDownHandler } from '../../functions/scale-down/handler.js';
import { createScaleUpHandler } from '../../functions/scale-up/handler.js';
import { createWebhookHandler } from '../../functions/webhook/handler.js';
import { SecretRegistry } from '../../observability/redact.js';
import type { Log } from '../../observability/types.js';
import type { WebhookDelivery } from '../world/github.js';
import type { Job } from '../world/types.js';
import type { World } from '../world/world.js';
import { AgentRecycle, type AgentRecycleStats } from './agent-recycle.js';
import { lambdaContext, signedEvent, workflowJobPayload } from './delivery.js';
import { CountingMetrics, SinkLogger, type LogSink } from './logging.js';
import type { Quiescence } from './quiescence.js';
import { SIM_INSTANCE_ARN_PREFIX, SIM_PARAMETERS, type HttpStack } from './stack.js';

/**
 * Lambda's SQS event source mapping and the pool queues as the Terraform module configures them
 * (modules/webhook/variables.tf: visibility 180 s, dead-letter queue after 3 receives;
 * modules/scale-up/variables.tf: batches of 10, no batching window). Polls once a virtual second.
 */
export const MODULE_QUEUE = { visibilityTimeoutSeconds: 180, maxReceiveCount: 3 } as const;
const ESM = { pollMs: 1000, batchSize: 10 } as const;

export interface QueueSettings {
  readonly visibilityTimeoutSeconds: number;
  /** Receives before SQS moves a message to the dead-letter queue; Infinity: no DLQ. */
  readonly maxReceiveCount: number;
}

export interface HttpDoorStats {
  webhookDeliveries: number;
  /** Answers by status code; routed events must all be 2xx. */
  webhookStatus: Record<string, number>;
  scaleUpInvocations: number;
  scaleUpMessages: number;
  scaleUpRetried: number;
  scaleUpErrors: number;
  /** Messages moved to the dead-letter queue (received more than `maxReceiveCount` times). */
  deadLettered: number;
  scaleDownRuns: number;
  scaleDownSkipped: number;
  scaleDownErrors: number;
  recycle: AgentRecycleStats;
  /** Powertools metrics the handlers emitted, summed over the run. */
  metrics: Record<string, Record<string, number>>;
}

export interface HttpDoorOptions {
  readonly world: World;
  readonly stack: HttpStack;
  readonly quiescence: Quiescence;
  /** The scale-down configuration (pools, environment); the github block is replaced by the facade's. */
  readonly config: ScaleDownConfig;
  readonly strategy: ScaleDownStrategy;
  readonly sink: LogSink;
  /** The pool queues' redrive settings (default: the module's, MODULE_QUEUE). */
  readonly queue?: QueueSettings;
}

function sinkLog(sink: LogSink, service: string): Log {
  return {
    debug: (m) => sink('DEBUG', service, m),
    info: (m) => sink('INFO', service, m),
    warn: (m) => sink('WARN', service, m),
    error: (m) => sink('ERROR', service, m),
  };
}

/**
 * The HTTP door: the real Lambda handlers, each with its own production adapters (Octokit, AWS
 * SDK v3) pointed at the facades, driven by the world's events on its virtual clock:
 * - webhook: every world `workflow_job` delivery that is not lost, signed, as a function-URL event;
 * - scale-up: Lambda's SQS event source mapping over each pool queue (batches of ≤ 10, messages in
 *   `batchItemFailures` stay and reappear after the visibility timeout, the rest are deleted);
 * - scale-down: the scenario's schedule, reserved concurrency 1 (a run in flight skips the next);
 * - the agent's recycle requests as real queue messages (agent-recycle.ts).
 * Every invocation runs inside the engine (`engine.invoke`) and the quiescence tracker, so virtual
 * time stands still while a handler works or a request is in flight.
 */
export class HttpDoor {
  readonly reports: ScaleDownReport[] = [];
  readonly stats: HttpDoorStats;
  private readonly agent: AgentRecycle;
  private readonly webhook: ReturnType<typeof createWebhookHandler>;
  private readonly scaleUp: ReturnType<typeof createScaleUpHandler>;
  private readonly scaleDown: ReturnType<typeof createScaleDownHandler>;
  private readonly metrics: Record<string, CountingMetrics> = {};
  private readonly polling = new Set<string>();
  private scaleDownRunning = false;
  private deliverySeq = 0;
  private requestSeq = 0;

  constructor(private readonly options: HttpDoorOptions) {
    const { world, stack, config, sink } = options;
    const github = stack.githubConfig;
    const common = { environment: config.environment, logLevel: config.logLevel, github, pools: config.pools };
    const webhookConfig: WebhookConfig = webhookConfigSchema.parse({
      ...common,
      webhookSecretParameter: SIM_PARAMETERS.webhookSecret,
    });
    const scaleUpConfig: ScaleUpConfig = scaleUpConfigSchema.parse({
      ...common,
      registration: 'jit',
      runnerConfigPath: config.runnerConfigPath,
      instanceArnPrefix: SIM_INSTANCE_ARN_PREFIX,
    });
    const scaleDownConfig: ScaleDownConfig = { ...config, github };
    const parts = (name: string) => {
      const metrics = new CountingMetrics(name);
      this.metrics[name] = metrics;
      return {
        logger: new SinkLogger(name, sink),
        metrics,
        deps: stack.portsFor(sinkLog(sink, name)),
        timeoutEarly: false,
      };
    };
    this.webhook = createWebhookHandler({ rawConfig: JSON.stringify(webhookConfig), ...parts('webhook') });
    // Its own secret registry: a day of JIT configs must not grow the process-wide one.
    this.scaleUp = createScaleUpHandler(
      { rawConfig: JSON.stringify(scaleUpConfig), ...parts('scale-up') },
      { secrets: new SecretRegistry() },
    );
    const down = parts('scale-down');
    this.scaleDown = createScaleDownHandler({
      rawConfig: JSON.stringify(scaleDownConfig),
      logger: down.logger,
      metrics: down.metrics,
      timeoutEarly: false,
      deps: { ports: down.deps, strategy: options.strategy },
    });
    this.agent = new AgentRecycle(world, config.runnerConfigPath);
    this.stats = {
      webhookDeliveries: 0,
      webhookStatus: {},
      scaleUpInvocations: 0,
      scaleUpMessages: 0,
      scaleUpRetried: 0,
      scaleUpErrors: 0,
      deadLettered: 0,
      scaleDownRuns: 0,
      scaleDownSkipped: 0,
      scaleDownErrors: 0,
      recycle: this.agent.stats,
      metrics: {},
    };
  }

  /**
   * Hooks the world's scale-up side to the handlers and schedules the pollers and scale-down until
   * `endMs`; without `scaleDown`, someone else schedules the scale-down runs (the fault door).
   */
  attach(scaleDown: { firstAtMs: number; everyMs: number } | undefined, endMs: number): void {
    const { world } = this.options;
    world.github.hooks = { ...world.github.hooks, onWebhook: (delivery, job) => this.deliver(delivery, job) };
    this.agent.attach();
    const queues = [...new Set([...world.pools.values()].map((p) => p.config.queueUrl))];
    const poll = (at: number): void => {
      if (at > endMs) return;
      world.engine.at(at, 'esm-poll', () => {
        for (const queueUrl of queues) this.poll(queueUrl);
        poll(at + ESM.pollMs);
      });
    };
    poll(world.now + ESM.pollMs);
    if (!scaleDown) return;
    const tick = (at: number): void => {
      if (at > endMs) return;
      world.engine.at(at, 'scale-down', () => {
        this.runScaleDown();
        tick(at + scaleDown.everyMs);
      });
    };
    tick(scaleDown.firstAtMs);
  }

  /** Handler metrics summed so far. */
  metricTotals(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [name, metrics] of Object.entries(this.metrics)) {
      out[name] = Object.fromEntries([...metrics.totals.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
    }
    return out;
  }

  private invoke<T>(name: string, body: () => Promise<T>): Promise<T> {
    const { world, quiescence } = this.options;
    return world.engine.invoke(() => quiescence.run(name, body)).promise;
  }

  private requestId(): string {
    return `sim-${++this.requestSeq}`;
  }

  private deliver(delivery: WebhookDelivery, job: Job): void {
    const { world } = this.options;
    const secret = world.ssm.get(SIM_PARAMETERS.webhookSecret).value;
    const deliveryId = `delivery-${++this.deliverySeq}`;
    const event = signedEvent(workflowJobPayload(delivery, job), secret, deliveryId);
    this.stats.webhookDeliveries++;
    const context = lambdaContext('webhook', this.requestId());
    void this.invoke('webhook', () => this.webhook(event, context)).then(
      (result) => this.countStatus(String(result.statusCode)),
      () => this.countStatus('threw'),
    );
  }

  private countStatus(status: string): void {
    this.stats.webhookStatus[status] = (this.stats.webhookStatus[status] ?? 0) + 1;
  }

  /**
   * One poll of the event source mapping. Its ReceiveMessage and DeleteMessage are AWS's own calls
   * on the world's queue (counted as AWS calls, not through the facade: no Lambda code makes them).
   */
  private poll(queueUrl: string): void {
    const { world } = this.options;
    if (this.polling.has(queueUrl) || world.sqs.depth(queueUrl).visible === 0) return;
    world.counters.awsCall('sqs:ReceiveMessage');
    const queue = this.options.queue ?? MODULE_QUEUE;
    const received = world.sqs.receive(queueUrl, ESM.batchSize, queue.visibilityTimeoutSeconds);
    // SQS redrive: a message received more often than maxReceiveCount goes to the DLQ instead.
    const messages = received.filter((m) => {
      if (m.receiveCount <= queue.maxReceiveCount) return true;
      world.sqs.delete(queueUrl, m.receiptHandle);
      this.stats.deadLettered++;
      world.ctx.record('sqs.deadLetter', { queue: queueUrl, message: m.messageId });
      return false;
    });
    if (messages.length === 0) return;
    this.polling.add(queueUrl);
    this.stats.scaleUpInvocations++;
    this.stats.scaleUpMessages += messages.length;
    const event = {
      Records: messages.map((m) => ({ messageId: m.messageId, receiptHandle: m.receiptHandle, body: m.body })),
    };
    const context = lambdaContext('scale-up', this.requestId());
    void this.invoke('scale-up', () => this.scaleUp(event, context)).then(
      (result) => {
        this.polling.delete(queueUrl);
        const failed = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
        this.stats.scaleUpRetried += failed.size;
        for (const m of messages) {
          if (failed.has(m.messageId)) continue;
          world.counters.awsCall('sqs:DeleteMessage');
          world.sqs.delete(queueUrl, m.receiptHandle);
        }
      },
      () => {
        // A failed invocation: the whole batch reappears after the visibility timeout.
        this.polling.delete(queueUrl);
        this.stats.scaleUpErrors++;
      },
    );
  }

  private runScaleDown(): void {
    if (this.scaleDownRunning) {
      this.stats.scaleDownSkipped++;
      this.options.world.ctx.record('scaleDown.skipped', { reason: 'in-flight' });
      return;
    }
    this.scaleDownRunning = true;
    this.stats.scaleDownRuns++;
    const context = lambdaContext('scale-down', this.requestId());
    void this.invoke('scale-down', () => this.scaleDown({}, context)).then(
      (report) => {
        this.scaleDownRunning = false;
        this.reports.push(report);
      },
      () => {
        this.scaleDownRunning = false;
        this.stats.scaleDownErrors++;
      },
    );
  }
}
