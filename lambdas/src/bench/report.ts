import type { FaultMatrixRow } from '../sim/faults/index.js';
import { faultTable } from './faults.js';
import type { SpeedMeasurement } from '../sim/bench-speed.js';
import type { BundleRow } from './bundles.js';
import { bootTable, type BootRow } from './boot.js';
import type { AgentLatency } from './agent/latency.js';
import { COMPARISONS, type CostRow, type RegistrationComparison, type SafetyRow } from './safety.js';
import type { ScaleResult } from './scale/run.js';
import { table } from './table.js';

/** Everything one bench run measured; each part is present when it ran. */
export interface BenchResult {
  safety?: SafetyRow[];
  cost?: CostRow[];
  /** Issue 15: ours with the runner from the cache, GitHub or the AMI. */
  boot?: BootRow[];
  faults?: FaultMatrixRow[];
  scale?: ScaleResult['rows'];
  scaleSummary?: Omit<ScaleResult, 'rows'> & { readonly callsOverFloor: Readonly<Record<string, number>> };
  speed?: SpeedMeasurement & { readonly aim: string };
  bundles?: BundleRow[];
  agent?: AgentLatency;
  notes: Record<string, string>;
}

const MODE_TITLE: Record<RegistrationComparison, string> = {
  token: 'every strategy with long-lived registrations (guard (b) absent: the protocol alone)',
  jit: 'every strategy with JIT registrations (GitHub refuses to delete an assigned one: guard (b))',
  own: 'each strategy in its own registration mode (baselines: long-lived on reusable pools; quarantine: JIT)',
};

function safetyTables(rows: readonly SafetyRow[]): string[] {
  return COMPARISONS.flatMap((mode) => {
    const chosen = rows.filter((r) => r.mode === mode);
    if (chosen.length === 0) return [];
    const first = chosen[0]!;
    return [
      table(
        `Safety: ${MODE_TITLE[mode]}`,
        [
          'scenario',
          'strategy',
          'jobs',
          'completed',
          'KILLED',
          'leaked',
          'inst-h',
          'idle inst-h',
          'GitHub calls',
          'on quarantining',
          'guard a failed',
          'guard b saved',
        ],
        chosen.map((r) => [
          r.scenario,
          r.strategy,
          r.jobsSubmitted,
          r.jobsCompleted,
          r.jobsKilled,
          r.instancesLeaked,
          r.instanceHours,
          r.idleInstanceHours,
          r.githubCalls,
          r.assignedWhileQuarantining,
          r.guardAFailures,
          r.guardBSaves,
        ]),
        [
          `sums over ${first.seeds} seed(s) x ${first.simulatedHours / first.seeds} simulated h each`,
          'on quarantining: jobs assigned while a quarantine propagated (the settle wait and re-check kept them);',
          'guard a failed: jobs assigned after a quarantine should have held; guard b saved: jobs a refused DELETE kept (kills it prevented)',
        ],
      ),
    ];
  });
}

function costTable(rows: readonly CostRow[]): string {
  return table(
    'Cost of safety: quarantine vs naive',
    ['scenario', 'mode', 'naive inst-h', 'ours inst-h', 'ratio', 'naive idle-h', 'ours idle-h', 'idle ratio'],
    rows.map((r) => [
      r.scenario,
      r.mode,
      r.naiveInstanceHours,
      r.quarantineInstanceHours,
      r.instanceHoursRatio,
      r.naiveIdleInstanceHours,
      r.quarantineIdleInstanceHours,
      r.idleInstanceHoursRatio,
    ]),
    ['ratio = quarantine / naive (above 1: what never killing a job costs in instance time)'],
  );
}

function scaleTable(result: BenchResult): string {
  const rows = result.scale ?? [];
  const summary = result.scaleSummary;
  return table(
    'Scale: one scale-down run retiring every instance',
    [
      'instances',
      'owners',
      'latency ms',
      'strategy',
      'wall ms',
      'GitHub calls',
      'floor',
      'calls/floor',
      'retired',
      'left',
    ],
    rows.map((r) => [
      r.instances,
      r.owners,
      r.latencyMs,
      r.strategy,
      r.wallMs,
      r.githubCalls,
      r.floorCalls,
      r.floorCalls > 0 ? Math.round((r.githubCalls / r.floorCalls) * 1000) / 1000 : undefined,
      r.retired,
      r.remainingInstances,
    ]),
    [
      `wall-time ratio quarantine / sequential: ${summary?.ratio ?? '-'}   (aim ${summary?.aim.wallTimeRatio ?? '-'})`,
      `GitHub calls aim: ${summary?.aim.githubCalls ?? '-'}; floor = list pages + quarantine and delete per runner + group setup per org`,
      ...rows.map(
        (r) =>
          `${r.strategy}: ${authCalls(r.githubCallsByEndpoint)} auth calls (installation look-ups, tokens); ${r.warnings} warnings logged`,
      ),
      summary?.note ?? '',
    ],
  );
}

function authCalls(byEndpoint: Readonly<Record<string, number>>): number {
  return Object.entries(byEndpoint)
    .filter(([endpoint]) => endpoint.endsWith('/installation') || endpoint.includes('/access_tokens'))
    .reduce((sum, [, calls]) => sum + calls, 0);
}

function speedTable(speed: NonNullable<BenchResult['speed']>): string {
  return table(
    'Simulator speed (in-process door)',
    ['runners', 'simulated h', 'fleet-h', 'CPU s', 'fleet-h per CPU-min', 'events', 'jobs'],
    [
      [
        speed.runners,
        speed.simulatedHours,
        speed.fleetHours,
        speed.cpuSeconds,
        speed.fleetHoursPerCpuMinute,
        speed.events,
        speed.jobs,
      ],
    ],
    [`aim: ${speed.aim}`],
  );
}

function bundleTable(rows: readonly BundleRow[]): string {
  return table(
    'Lambda bundles',
    ['function', 'zip bytes', 'bundle bytes', 'cold import ms (median)', 'samples'],
    rows.map((r) => [r.name, r.zipBytes, r.bundleBytes, r.coldImportMs, r.samples]),
    ['cold import: a fresh node process timing import() of the bundle with performance.now()'],
  );
}

function agentTable(agent: AgentLatency): string {
  return table(
    'Runner agent: state on the tag (the real agent/ghr-agent.sh against the facades)',
    ['state', 'from', 'samples', 'median ms', 'max ms'],
    [
      ['busy', 'job taken', agent.busy.samples, agent.busy.medianMs, agent.busy.maxMs],
      ['idle', 'worker gone', agent.idle.samples, agent.idle.medianMs, agent.idle.maxMs],
    ],
    [
      `${agent.runs} run(s) x ${agent.jobsPerRun} jobs, the agent's default timers; AWS calls via ${agent.aws === 'cli' ? 'the AWS CLI' : 'aws-shim.mjs (a node process per call; GHR_TEST_AWS=cli for the AWS CLI)'}`,
      `aim: ${agent.aim}`,
    ],
  );
}

/** The readable form: one table per part that ran. */
export function readable(result: BenchResult): string {
  const parts: string[] = [];
  if (result.safety) parts.push(...safetyTables(result.safety));
  if (result.cost) parts.push(costTable(result.cost));
  if (result.boot) parts.push(bootTable(result.boot));
  if (result.faults) parts.push(faultTable(result.faults));
  if (result.scale) parts.push(scaleTable(result));
  if (result.speed) parts.push(speedTable(result.speed));
  if (result.bundles) parts.push(bundleTable(result.bundles));
  if (result.agent) parts.push(agentTable(result.agent));
  for (const [key, note] of Object.entries(result.notes)) parts.push(`note (${key}): ${note}\n`);
  return parts.join('\n');
}
