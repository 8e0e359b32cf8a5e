import type { Log, Metrics } from '../../../observability/types.js';
import type { CallGate } from '../../ports/gate.js';
import type { WorldContext } from '../context.js';
import { crashLabel, InvocationGate, type ArmedCrash, type CrashSpec } from './crash.js';

/** One invocation as the function's code sees it: its deadline, its gate, its log and metrics. */
export interface Invocation {
  readonly requestId: string;
  readonly functionName: string;
  readonly startedMs: number;
  /** Virtual time at which Lambda stops the invocation (its timeout). */
  readonly deadlineMs: number;
  /** Every port call of the invocation passes it: closed once the invocation crashed or timed out. */
  readonly gate: CallGate;
  readonly log: Log;
  readonly metrics: Metrics;
}

/** A function's code, supplied by a door: the real core (in-process) or the real handler (HTTP). */
export type FunctionCode<E, R> = (event: E, invocation: Invocation) => Promise<R>;

export interface FunctionSpec<E = unknown, R = unknown> {
  readonly name: string;
  readonly code: FunctionCode<E, R>;
  readonly timeoutSeconds: number;
  /** At most this many invocations at once (undefined: no limit); others are throttled. */
  readonly reservedConcurrency?: number;
  /** Keep every result (scale-down's reports); others are only counted. */
  readonly keepResults?: boolean;
}

export type InvocationOutcome<R> =
  | { readonly kind: 'ok'; readonly result: R }
  | { readonly kind: 'error'; readonly error: unknown }
  | { readonly kind: 'crashed' | 'timeout' | 'throttled' };

/** Per function: invocations by outcome, the log lines and the metrics its code emitted. */
export interface FunctionRecord {
  readonly outcomes: Record<InvocationOutcome<unknown>['kind'], number>;
  readonly lines: string[];
  readonly metrics: Map<string, number>;
  readonly crashesFired: string[];
  readonly results: unknown[];
}

const MAX_LINES = 50_000;

interface Deployed {
  readonly spec: FunctionSpec;
  running: number;
  readonly record: FunctionRecord;
}

/**
 * AWS Lambda in the world: the deployed functions, their concurrency and timeouts. A function's
 * code comes from a door; when it runs, with which event, and when it is stopped is Lambda's
 * business, so it lives here. A crashed or timed-out invocation is abandoned as a killed process
 * is: its pending calls never return (its gate is closed) and it writes nothing more.
 */
export class LambdaService {
  private readonly functions = new Map<string, Deployed>();
  private readonly crashes: ArmedCrash[] = [];
  private seq = 0;

  constructor(
    private readonly ctx: WorldContext,
    private readonly startMs: number,
  ) {}

  deploy(spec: FunctionSpec<never, unknown>): void {
    const record: FunctionRecord = {
      outcomes: { ok: 0, error: 0, crashed: 0, timeout: 0, throttled: 0 },
      lines: [],
      metrics: new Map(),
      crashesFired: [],
      results: [],
    };
    this.functions.set(spec.name, { spec: spec as FunctionSpec, running: 0, record });
  }

  deployed(name: string): boolean {
    return this.functions.has(name);
  }

  record(name: string): FunctionRecord | undefined {
    return this.functions.get(name)?.record;
  }

  names(): string[] {
    return [...this.functions.keys()];
  }

  /** Crash faults (scenario `faults.crashes`), armed from their minute on. */
  armCrashes(specs: readonly CrashSpec[], startMs: number): void {
    for (const spec of specs) this.crashes.push({ spec, atMs: startMs + spec.atMinute * 60_000, fired: false });
  }

  /** The results kept of a function (`keepResults`), in completion order. */
  results<R>(name: string): R[] {
    return (this.functions.get(name)?.record.results ?? []) as R[];
  }

  running(name: string): number {
    return this.functions.get(name)?.running ?? 0;
  }

  /**
   * Invokes `name` with `event`. `ignoreConcurrency`: an invocation outside the function's reserved
   * concurrency (a fault: an overlapping run by hand or by a misconfiguration).
   */
  invoke<E, R>(
    name: string,
    event: E,
    options: { ignoreConcurrency?: boolean; label?: string } = {},
  ): Promise<InvocationOutcome<R>> {
    const deployed = this.functions.get(name);
    if (!deployed) return Promise.resolve({ kind: 'error', error: new Error(`no function ${name}`) });
    const { spec, record } = deployed;
    const limit = spec.reservedConcurrency;
    if (!options.ignoreConcurrency && limit !== undefined && deployed.running >= limit) {
      record.outcomes.throttled++;
      this.ctx.record('lambda.throttled', { fn: name });
      return Promise.resolve({ kind: 'throttled' });
    }
    const now = this.ctx.now;
    const crash = this.crashes.find((c) => !c.fired && c.spec.function === name && now >= c.atMs);
    const requestId = `${name}-${options.label === undefined ? '' : `${options.label}-`}${++this.seq}`;
    let settled = false;
    const finish = (): void => {
      if (!settled) deployed.running--;
      settled = true;
    };
    let abandon: () => void = () => {};
    let resolveDeath: (outcome: InvocationOutcome<R>) => void = () => {};
    const death = new Promise<InvocationOutcome<R>>((resolve) => (resolveDeath = resolve));
    const gate = new InvocationGate(
      crash,
      (cause, where) => {
        const kind = cause === 'timeout' ? 'timeout' : 'crashed';
        record.outcomes[kind]++;
        if (kind === 'crashed' && crash) record.crashesFired.push(crashLabel(crash.spec));
        this.ctx.record(kind === 'timeout' ? 'lambda.timeout' : 'lambda.crashed', {
          fn: name,
          request: requestId,
          where,
          cause,
        });
        finish();
        abandon();
        resolveDeath({ kind });
      },
      (ms, run) => this.ctx.engine.after(ms, 'lambda-crash-delay', run),
    );
    const log = this.logFor(record, requestId, gate);
    const metrics: Metrics = {
      count: (metric, value = 1) => {
        if (!gate.dead) record.metrics.set(metric, (record.metrics.get(metric) ?? 0) + value);
      },
    };
    const deadlineMs = now + spec.timeoutSeconds * 1000;
    const invocation: Invocation = { requestId, functionName: name, startedMs: now, deadlineMs, gate, log, metrics };
    deployed.running++;
    this.ctx.record('lambda.start', { fn: name, request: requestId });
    const timeout = this.ctx.engine.at(deadlineMs, 'lambda-timeout', () => gate.kill('timeout', 'deadline'));
    const started = this.ctx.engine.invoke(() => spec.code(event, invocation) as Promise<R>);
    abandon = () => started.abandon();
    const done = started.promise.then(
      (result): InvocationOutcome<R> => ({ kind: 'ok', result }),
      (error: unknown): InvocationOutcome<R> => ({ kind: 'error', error }),
    );
    return Promise.race([death, done]).then((outcome) => {
      if (gate.dead) return { kind: gate.cause === 'timeout' ? 'timeout' : 'crashed' } as InvocationOutcome<R>;
      this.ctx.engine.cancel(timeout);
      finish();
      record.outcomes[outcome.kind]++;
      this.ctx.record('lambda.end', { fn: name, request: requestId, outcome: outcome.kind });
      if (outcome.kind === 'ok' && spec.keepResults) record.results.push(outcome.result);
      if (outcome.kind === 'error') {
        const error = outcome.error;
        this.line(record, requestId, 'ERROR', 'invocation failed', {
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        });
      }
      return outcome;
    });
  }

  private line(record: FunctionRecord, requestId: string, level: string, message: string, attributes?: unknown): void {
    if (record.lines.length >= MAX_LINES) return;
    const t = ((this.ctx.now - this.startMs) / 1000).toFixed(3);
    let extra = '';
    if (attributes !== undefined) {
      try {
        extra = ` ${JSON.stringify(attributes)}`;
      } catch {
        extra = ' [unserialisable]';
      }
    }
    record.lines.push(`${t} ${requestId} ${level} ${message}${extra}`);
  }

  /** The invocation's log: kept per function; `info` messages are crash points too; a dead invocation writes nothing. */
  private logFor(record: FunctionRecord, requestId: string, gate: InvocationGate): Log {
    const emit =
      (level: string) =>
      (message: string, attributes?: Record<string, unknown>): void => {
        if (gate.dead) return;
        this.line(record, requestId, level, message, attributes);
        if (level === 'INFO') gate.see(message);
      };
    return { debug: emit('DEBUG'), info: emit('INFO'), warn: emit('WARN'), error: emit('ERROR') };
  }
}
