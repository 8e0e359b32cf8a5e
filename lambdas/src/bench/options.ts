import { parseArgs } from 'node:util';
import { ConfigError } from '../errors.js';

export const PARTS = ['safety', 'cost', 'boot', 'faults', 'scale', 'speed', 'bundles', 'agent'] as const;
export type Part = (typeof PARTS)[number];

export interface BenchOptions {
  readonly json: boolean;
  readonly help: boolean;
  readonly parts: ReadonlySet<Part>;
  readonly seeds: number;
  readonly hours: number;
  readonly instances: number;
  readonly owners: number;
  readonly latencyMs: number;
  readonly speedHours: number;
  readonly importSamples: number;
  /** Runs of the real runner agent (a few jobs each) for its publication latency. */
  readonly agentRuns: number;
  /** Fault-table rows: in-process only, or with one HTTP-door row per class. */
  readonly faultDoors: 'both' | 'in-process';
}

export const USAGE = `usage: npm run bench -- [--json] [--only PARTS] [--seeds N] [--hours H] [--quick]
  --only       comma-separated parts: ${PARTS.join(', ')}; default all
               (boot: queue wait and instance-hours of ours in the burst scenario with the runner from the
               module's S3 cache, from GitHub or baked into an AMI; 3 rows x --seeds x --hours)
  --seeds N    seeds per scenario and strategy in the safety matrix, and per row of the boot table; default 3
  --hours H    simulated hours per run; default 24
  --quick      1 seed x 6 h; scale run over 100 instances in 4 owners at 5 ms; short speed run; 1 import sample;
               1 agent run
  --instances N, --owners N, --latency MS   the scale run; default 2000, 20, 50
  --agent-runs N   runs of the real runner agent, 3 jobs each, for its tag latency; default 4
  --fault-door D   faults table rows: both (in-process + one HTTP-door row per class) or in-process;
               default both (in-process with --quick)
  --json       print exactly one JSON object on stdout (progress still goes to stderr)
`;

function number(name: string, value: string | undefined, fallback: number, integer: boolean, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new ConfigError(`--${name}: expected ${integer ? 'an integer' : 'a number'} >= ${min}, got "${value}"`);
  }
  return n;
}

function parts(value: string | undefined): Set<Part> {
  if (value === undefined) return new Set(PARTS);
  const chosen = new Set<Part>();
  for (const raw of value
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')) {
    const part = PARTS.find((p) => p === raw);
    if (part === undefined) throw new ConfigError(`--only: unknown part "${raw}" (known: ${PARTS.join(', ')})`);
    chosen.add(part);
  }
  if (chosen.size === 0) throw new ConfigError('--only: name at least one part');
  return chosen;
}

/** Parses the bench's argv; a bad option throws (ConfigError, or parseArgs' TypeError). */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      seeds: { type: 'string' },
      hours: { type: 'string' },
      instances: { type: 'string' },
      owners: { type: 'string' },
      latency: { type: 'string' },
      'agent-runs': { type: 'string' },
      'fault-door': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const quick = values.quick;
  const owners = number('owners', values.owners, quick ? 4 : 20, true, 1);
  const faultDoor = values['fault-door'] ?? (quick ? 'in-process' : 'both');
  if (faultDoor !== 'both' && faultDoor !== 'in-process') {
    throw new ConfigError(`--fault-door: expected both or in-process, got "${faultDoor}"`);
  }
  return {
    json: values.json,
    help: values.help,
    parts: parts(values.only),
    seeds: number('seeds', values.seeds, quick ? 1 : 3, true, 1),
    hours: number('hours', values.hours, quick ? 6 : 24, false, 0.1),
    instances: number('instances', values.instances, quick ? 100 : 2000, true, 0),
    owners,
    latencyMs: number('latency', values.latency, quick ? 5 : 50, false, 0),
    speedHours: quick ? 2 : 48,
    importSamples: quick ? 1 : 5,
    agentRuns: number('agent-runs', values['agent-runs'], quick ? 1 : 4, true, 1),
    faultDoors: faultDoor,
  };
}
