import { describe, expect, test } from '@jest/globals';
import { main } from '../../src/bench/cli.js';
import { COMPARISONS, SAFETY_STRATEGIES } from '../../src/bench/safety.js';
import { benignScenarioNames } from '../../src/sim/scenarios/load.js';

async function bench(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: process.env,
  });
  return { code, stdout, stderr };
}

function record(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('expected an object');
  return Object.fromEntries(Object.entries(value));
}

function rows(value: unknown): Record<string, unknown>[] {
  if (!Array.isArray(value)) throw new Error('expected an array');
  return value.map(record);
}

const SAFETY_NUMBERS = [
  'guardAFailures',
  'guardBSaves',
  'assignedWhileQuarantining',
  'seeds',
  'simulatedHours',
  'jobsCompleted',
  'jobsKilled',
  'instanceHours',
  'idleInstanceHours',
  'githubCalls',
];

describe('npm run bench', () => {
  test('--json --quick --only faults: the eight fault classes, zeros where the promise says zero', async () => {
    const { code, stdout } = await bench(['--json', '--quick', '--only', 'faults']);
    expect(code).toBe(0);
    const faults = rows(record(JSON.parse(stdout))['faults']);
    expect(faults).toHaveLength(8);
    for (const row of faults) {
      expect(row).toMatchObject({ seeds: 1, jobsKilled: 0, instancesLeaked: 0, secretsLeft: 0 });
      expect(row['githubCalls']).toEqual(expect.any(Number));
    }
  });

  test('--json --quick --only safety,cost: one JSON object with a row per scenario x strategy x mode', async () => {
    // Act
    const { code, stdout } = await bench(['--json', '--quick', '--hours', '1', '--only', 'safety,cost']);

    // Assess: exactly one JSON object on stdout, nothing else.
    expect(code).toBe(0);
    expect(stdout.endsWith('\n')).toBe(true);
    expect(stdout.trimEnd().split('\n')).toHaveLength(1);
    const result = record(JSON.parse(stdout));
    expect(result.scale).toBeUndefined();
    const safety = rows(result.safety);
    const scenarios = benignScenarioNames();
    for (const mode of COMPARISONS) {
      for (const scenario of scenarios) {
        for (const strategy of SAFETY_STRATEGIES) {
          const matching = safety.filter((r) => r.scenario === scenario && r.strategy === strategy && r.mode === mode);
          expect(matching).toHaveLength(1);
          const row = matching[0]!;
          for (const key of SAFETY_NUMBERS) {
            expect(typeof row[key]).toBe('number');
            expect(row[key]).toBeGreaterThanOrEqual(0);
          }
          expect(row.seeds).toBe(1);
          expect(row.simulatedHours).toBe(1);
        }
      }
    }
    expect(safety).toHaveLength(scenarios.length * SAFETY_STRATEGIES.length * COMPARISONS.length);
    const cost = rows(result.cost);
    expect(cost.map((r) => `${r.scenario}/${r.mode}`).sort()).toEqual(
      scenarios.flatMap((s) => COMPARISONS.map((mode) => `${s}/${mode}`)).sort(),
    );
    for (const row of cost) {
      expect(row.quarantineInstanceHours).toBeGreaterThanOrEqual(0);
      expect(row.naiveIdleInstanceHours).toBeGreaterThanOrEqual(0);
    }
  });

  test('--json with the scale and speed parts: still exactly one JSON object on stdout', async () => {
    // Act
    const { code, stdout, stderr } = await bench([
      '--json',
      '--only',
      'scale,speed',
      '--quick',
      '--instances',
      '12',
      '--owners',
      '2',
      '--latency',
      '0',
    ]);

    // Assess
    expect(code).toBe(0);
    expect(stdout.trimEnd().split('\n')).toHaveLength(1);
    const result = record(JSON.parse(stdout));
    const scale = rows(result.scale);
    expect(scale.map((r) => r.strategy)).toEqual(['quarantine', 'sequential']);
    expect(scale.every((r) => r.remainingInstances === 0 && r.retired === 12)).toBe(true);
    expect(typeof record(result.scaleSummary).ratio).toBe('number');
    expect(record(result.speed).fleetHours).toBeGreaterThan(0);
    expect(stderr).toContain('scale: 12 instances');
  });

  test('--json --quick --only agent: the real agent, busy and idle latency per job, never before the job', async () => {
    // Act
    const { code, stdout, stderr } = await bench(['--json', '--quick', '--only', 'agent']);

    // Assess: shape only; how fast is the figure itself, not a test (issue 11)
    expect(code).toBe(0);
    expect(stdout.trimEnd().split('\n')).toHaveLength(1);
    const agent = record(record(JSON.parse(stdout)).agent);
    expect(agent).toMatchObject({ runs: 1, jobsPerRun: 3 });
    for (const state of ['busy', 'idle']) {
      const figure = record(agent[state]);
      expect(figure.samples).toBe(3);
      // A state is published after what causes it: never a negative latency.
      expect(figure.medianMs).toBeGreaterThanOrEqual(0);
      expect(figure.maxMs).toBeGreaterThanOrEqual(Number(figure.medianMs));
    }
    expect(stderr).toContain('agent: the real runner agent, 1 run(s)');
  });

  test('readable output: tables, no JSON', async () => {
    // Act
    const { code, stdout } = await bench(['--only', 'safety', '--seeds', '1', '--hours', '1']);

    // Assess
    expect(code).toBe(0);
    expect(stdout).toContain('## Safety: each strategy in its own registration mode');
    expect(stdout).toContain('## Safety: every strategy with long-lived registrations');
    expect(stdout).toContain('## Safety: every strategy with JIT registrations');
    // Same mode first, own mode after.
    expect(stdout.indexOf('long-lived registrations (guard (b) absent')).toBeLessThan(
      stdout.indexOf('own registration mode'),
    );
    expect(stdout).toMatch(/^steady\s+quarantine\s+\d+/m);
    expect(() => JSON.parse(stdout) as unknown).toThrow();
  });

  test.each([[['--only', 'nonsense']], [['--seeds', '0']], [['--hours', 'x']], [['--unknown']]])(
    'bad options %j: exit 2, usage on stderr, nothing on stdout',
    async (argv) => {
      // Act
      const { code, stdout, stderr } = await bench(argv);

      // Assess
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toContain('usage: npm run bench');
    },
  );

  test('--help prints the usage on stdout', async () => {
    // Act
    const { code, stdout } = await bench(['--help']);

    // Assess
    expect(code).toBe(0);
    expect(stdout).toContain('--only');
  });
});
