import type { ScaleDownConfig } from '../../config/schema.js';
import type { ScaleDownReport, ScaleDownStrategy } from '../../core/strategy.js';
import type { Log, Metrics } from '../../observability/types.js';
import type { Ports } from '../../ports/index.js';
import type { CallGate } from '../ports/gate.js';
import type { World } from '../world/world.js';

/**
 * A crash of a scale-down run placed on a protocol step (issue 8, class 4). The run dies at the
 * first port call or `info` message whose name contains `step`, once `after` (if given) has
 * been seen in the same run; with `delaySeconds` instead of `step` it dies that long after
 * `after` (in its settle wait). A crash stays armed until a run reaches its step.
 */
export interface CrashSpec {
  readonly atMinute: number;
  readonly label: string;
  readonly after?: string;
  readonly step?: string;
  readonly delaySeconds?: number;
}

/** A second invocation started `offsetSeconds` after every scheduled run, beside it (class 5). */
export interface OverlapSpec {
  readonly offsetSeconds: number;
}

/** How one invocation reaches the world: the in-process door, or the HTTP door's production adapters. */
export type PortsFactory = (gate: CallGate, log: Log) => Ports;

/** Runs one invocation's body (the HTTP door attributes its virtual sleeps to it: `Quiescence.run`). */
export type InvocationWrapper = <T>(name: string, body: () => Promise<T>) => Promise<T>;

/** One scale-down invocation given its (gated) ports; default: the strategy called directly. */
export type ScaleDownRunner = (run: {
  readonly slot: string;
  readonly ports: Ports;
  readonly config: ScaleDownConfig;
  readonly strategy: ScaleDownStrategy;
  readonly log: Log;
  readonly metrics: Metrics;
}) => Promise<ScaleDownReport>;

const callStrategy: ScaleDownRunner = ({ ports, config, strategy, log, metrics }) =>
  strategy.run({ ports, config, log, metrics });

interface ArmedCrash extends CrashSpec {
  readonly atMs: number;
  fired: boolean;
}

/** Counts every metric the control plane emits, so a run's degradation can be read back. */
export class RecordingMetrics implements Metrics {
  readonly totals = new Map<string, number>();
  count(name: string, value = 1): void {
    this.totals.set(name, (this.totals.get(name) ?? 0) + value);
  }
}

/**
 * The scale-down schedule of a fault run: like the simulator's (reserved concurrency 1 per
 * slot), with crashes placed after protocol steps and an optional overlapping second slot.
 * Every log line of every level is kept, and every metric counted.
 */
export class FaultSchedule {
  readonly reports: ScaleDownReport[] = [];
  readonly lines: string[] = [];
  readonly metrics = new RecordingMetrics();
  readonly crashesFired: string[] = [];
  failedRuns = 0;
  private readonly busy = new Set<string>();
  private readonly crashes: ArmedCrash[];
  private static readonly MAX_LINES = 50_000;

  constructor(
    private readonly world: World,
    private readonly strategy: ScaleDownStrategy,
    private readonly config: ScaleDownConfig,
    private readonly portsFor: PortsFactory,
    crashes: readonly CrashSpec[] = [],
    private readonly overlap?: OverlapSpec,
    private readonly wrap: InvocationWrapper = (_name, body) => body(),
    private readonly runner: ScaleDownRunner = callStrategy,
  ) {
    this.crashes = crashes.map((c) => ({ ...c, atMs: world.startMs + c.atMinute * 60_000, fired: false }));
  }

  start(firstMs: number, everyMs: number, endMs: number): void {
    const tick = (at: number): void => {
      if (at > endMs) return;
      this.world.engine.at(at, 'scale-down', () => {
        this.invoke('primary');
        if (this.overlap) {
          this.world.engine.after(this.overlap.offsetSeconds * 1000, 'scale-down-overlap', () =>
            this.invoke('overlap'),
          );
        }
        tick(at + everyMs);
      });
    };
    tick(firstMs);
  }

  private line(slot: string, level: string, message: string, attributes?: Record<string, unknown>): void {
    if (this.lines.length >= FaultSchedule.MAX_LINES) return;
    const t = ((this.world.now - this.world.startMs) / 1000).toFixed(3);
    this.lines.push(`${t} ${slot} ${level} ${message}${attributes ? ` ${JSON.stringify(attributes)}` : ''}`);
  }

  private invoke(slot: string): void {
    if (this.busy.has(slot)) {
      this.world.ctx.record('scaleDown.skipped', { reason: 'in-flight', slot });
      return;
    }
    const now = this.world.now;
    const crash = slot === 'primary' ? this.crashes.find((c) => !c.fired && now >= c.atMs) : undefined;
    let armed = crash?.after === undefined;
    let dead = false;
    const holder: { abandon?: () => void } = {};
    const die = (where: string): void => {
      if (dead || !crash) return;
      dead = true;
      crash.fired = true;
      this.crashesFired.push(crash.label);
      this.busy.delete(slot);
      this.world.ctx.record('scaleDown.crashed', { step: where, label: crash.label });
      holder.abandon?.();
    };
    const seen = (name: string): void => {
      if (dead || !crash) return;
      if (armed && crash.step !== undefined && name.includes(crash.step)) {
        die(name);
        return;
      }
      if (!armed && crash.after !== undefined && name.includes(crash.after)) {
        armed = true;
        if (crash.delaySeconds !== undefined) {
          this.world.engine.after(crash.delaySeconds * 1000, 'scale-down-crash', () => die(`${name} +delay`));
        }
      }
    };
    const gate: CallGate = {
      crashed: (step) => {
        seen(step);
        return dead;
      },
    };
    // A dead Lambda writes nothing more.
    const emit =
      (level: string) =>
      (message: string, attributes?: Record<string, unknown>): void => {
        if (dead) return;
        this.line(slot, level, message, attributes);
        if (level === 'INFO') seen(message);
      };
    const log: Log = { debug: emit('DEBUG'), info: emit('INFO'), warn: emit('WARN'), error: emit('ERROR') };
    this.busy.add(slot);
    this.world.ctx.record('scaleDown.start', { strategy: this.strategy.name, slot });
    const ports = this.portsFor(gate, log);
    const started = this.world.engine.invoke(() =>
      this.wrap(`scale-down.${slot}`, () =>
        this.runner({ slot, ports, config: this.config, strategy: this.strategy, log, metrics: this.metrics }),
      ),
    );
    holder.abandon = () => started.abandon();
    if (dead) started.abandon();
    started.promise.then(
      (report) => {
        if (dead) return;
        this.busy.delete(slot);
        this.reports.push(report);
        this.world.ctx.record('scaleDown.done', { retired: report.retired, slot });
      },
      (error: unknown) => {
        if (dead) return;
        this.busy.delete(slot);
        this.failedRuns++;
        this.line(slot, 'ERROR', 'scale-down run failed', {
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        });
        this.world.ctx.record('scaleDown.failed', { slot });
      },
    );
  }
}
