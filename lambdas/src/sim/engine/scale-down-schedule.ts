import type { ScaleDownConfig } from '../../config/schema.js';
import type { ScaleDownReport, ScaleDownStrategy } from '../../core/strategy.js';
import type { Log } from '../../observability/types.js';
import { noMetrics } from '../../observability/types.js';
import type { CallGate } from '../ports/gate.js';
import { inProcessPorts } from '../ports/index.js';
import type { Scenario } from '../scenarios/schema.js';
import type { World } from '../world/world.js';

/**
 * The scale-down schedule: every N minutes one invocation of the strategy with the
 * in-process ports. Reserved concurrency 1: a run still in flight makes the next one skip.
 * Scenario crashes kill a run at a named step: its port calls then never return.
 */
export class ScaleDownSchedule {
  readonly reports: ScaleDownReport[] = [];
  readonly lines: string[] = [];
  private running = false;
  private readonly crashes: { atMs: number; step: string; used: boolean }[];
  private static readonly MAX_LINES = 20_000;

  constructor(
    private readonly world: World,
    private readonly scenario: Scenario,
    private readonly strategy: ScaleDownStrategy,
    private readonly config: ScaleDownConfig,
  ) {
    this.crashes = scenario.faults.crashes.map((c) => ({
      atMs: world.startMs + c.atMinute * 60_000,
      step: c.step,
      used: false,
    }));
  }

  start(endMs: number): void {
    const every = this.scenario.scaleDown.everyMinutes * 60_000;
    const first =
      this.world.startMs + (this.scenario.scaleDown.firstAtMinute ?? this.scenario.scaleDown.everyMinutes) * 60_000;
    const tick = (at: number): void => {
      if (at > endMs) return;
      this.world.engine.at(at, 'scale-down', () => {
        this.invoke();
        tick(at + every);
      });
    };
    tick(first);
  }

  private line(level: string, message: string, attributes?: Record<string, unknown>): void {
    if (this.lines.length >= ScaleDownSchedule.MAX_LINES) return;
    const t = ((this.world.now - this.world.startMs) / 1000).toFixed(3);
    this.lines.push(`${t} ${level} ${message}${attributes ? ` ${JSON.stringify(attributes)}` : ''}`);
  }

  private invoke(): void {
    if (this.running) {
      this.world.ctx.record('scaleDown.skipped', { reason: 'in-flight' });
      return;
    }
    const now = this.world.now;
    const crash = this.crashes.find((c) => !c.used && now >= c.atMs);
    let crashed = false;
    const holder: { invocation?: { abandon(): void } } = {};
    const die = (step: string): void => {
      if (crashed || !crash) return;
      crashed = true;
      crash.used = true;
      this.running = false;
      this.world.ctx.record('scaleDown.crashed', { step });
      holder.invocation?.abandon();
    };
    const gate: CallGate = {
      crashed: (step) => {
        if (!crashed && crash && step.includes(crash.step)) die(step);
        return crashed;
      },
    };
    const log: Log = {
      debug: (m, a) => this.line('DEBUG', m, a),
      info: (m, a) => {
        this.line('INFO', m, a);
        if (crash && m.includes(crash.step)) die(m);
      },
      warn: (m, a) => this.line('WARN', m, a),
      error: (m, a) => this.line('ERROR', m, a),
    };
    this.running = true;
    this.world.ctx.record('scaleDown.start', { strategy: this.strategy.name });
    const ports = inProcessPorts(this.world, gate);
    const started = this.world.engine.invoke(() =>
      this.strategy.run({ ports, config: this.config, log, metrics: noMetrics }),
    );
    holder.invocation = started;
    if (crashed) started.abandon();
    started.promise.then(
      (report) => {
        if (crashed) return;
        this.running = false;
        this.reports.push(report);
        this.world.ctx.record('scaleDown.done', { retired: report.retired, orphans: report.orphansTerminated });
      },
      (error: unknown) => {
        if (crashed) return;
        this.running = false;
        this.line('ERROR', 'scale-down run failed', { error: error instanceof Error ? error.message : String(error) });
        this.world.ctx.record('scaleDown.failed', {});
      },
    );
  }
}
