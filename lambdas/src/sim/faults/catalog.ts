import { parseScenario } from '../scenarios/load.js';
import type { Scenario } from '../scenarios/schema.js';
import crashes from '../scenarios/fault-crashes.json' with { type: 'json' };
import deadAgent from '../scenarios/fault-dead-agent.json' with { type: 'json' };
import ec2Throttle from '../scenarios/fault-ec2-throttle.json' with { type: 'json' };
import githubErrors from '../scenarios/fault-github-errors.json' with { type: 'json' };
import overlap from '../scenarios/fault-overlap.json' with { type: 'json' };
import rateLimits from '../scenarios/fault-rate-limits.json' with { type: 'json' };
import spot from '../scenarios/fault-spot.json' with { type: 'json' };
import webhooks from '../scenarios/fault-webhooks.json' with { type: 'json' };

/**
 * The eight fault classes of issue 8, each a scenario (`scenarios/fault-*.json`; crash points and
 * overlapping runs are scenario faults too). Kept apart from the built-in scenarios: the property
 * tests and the bench iterate those and hold them to liveness bounds faults are allowed to stretch.
 */
export interface FaultClass {
  readonly fault: string;
  readonly scenario: Scenario;
  /** The stated stretch of the leak bound under this fault, in minutes (0: none). */
  readonly leakSlackMinutes?: number;
}

type CrashInput = Scenario['faults']['crashes'][number];

/**
 * Crash points of the quarantine protocol, matched against the step names every door gives its
 * calls (`github.<METHOD> <route>`, `ec2.<Action>`) and the core's `info` messages. A crash at a
 * call means the call never happens: "after step X" is "at the first call of the step after X".
 */
export const PROTOCOL_CRASHES: readonly Omit<CrashInput, 'function'>[] = [
  { atMinute: 30, label: 'mark', step: 'runner marked retiring' },
  { atMinute: 75, label: 'quarantine', after: 'github.PUT /orgs/{org}/actions/runner-groups/', step: 'ec2.CreateTags' },
  { atMinute: 120, label: 'settle', after: 'runner quarantined', delaySeconds: 30 },
  { atMinute: 165, label: 're-check', step: 'github.DELETE /orgs/{org}/actions/runners/{id}' },
  {
    atMinute: 210,
    label: 'deregister',
    after: 'github.DELETE /orgs/{org}/actions/runners/{id}',
    step: 'ec2.TerminateInstances',
  },
  { atMinute: 255, label: 'terminate', step: 'runner retired' },
  // Repo runners are quarantined by their labels, and deregistered under the repo's route.
  {
    atMinute: 300,
    label: 'quarantine (labels)',
    after: 'github.PUT /repos/{owner}/{repo}/actions/runners/{id}/labels',
    step: 'ec2.CreateTags',
  },
  {
    atMinute: 330,
    label: 'deregister (repo)',
    after: 'github.DELETE /repos/{owner}/{repo}/actions/runners/{id}',
    step: 'ec2.TerminateInstances',
  },
];

const FAULTS: readonly (Omit<FaultClass, 'scenario'> & { json: unknown; faults?: Record<string, unknown> })[] = [
  { fault: 'github-5xx-timeouts', json: githubErrors },
  // An exhausted primary limit blocks the runner list, hence every decision, until its hourly reset.
  { fault: 'github-rate-limits', json: rateLimits, leakSlackMinutes: 60 },
  { fault: 'ec2-throttling', json: ec2Throttle },
  { fault: 'scale-down-crashes', json: crashes, faults: { crashes: PROTOCOL_CRASHES } },
  { fault: 'overlapping-runs', json: overlap, faults: { overlaps: [{ offsetSeconds: 30 }] } },
  { fault: 'webhooks-lost-late', json: webhooks },
  { fault: 'spot-interruptions', json: spot },
  { fault: 'dead-agent', json: deadAgent },
];

export function faultScenarioNames(): string[] {
  return FAULTS.map((f) => f.fault);
}

export function faultClass(name: string): FaultClass {
  const found = FAULTS.find((f) => f.fault === name);
  if (!found) throw new Error(`unknown fault class "${name}" (known: ${faultScenarioNames().join(', ')})`);
  const { json, faults, ...rest } = found;
  const base = json as { faults?: Record<string, unknown> };
  const merged = faults === undefined ? json : { ...base, faults: { ...base.faults, ...faults } };
  return { ...rest, scenario: parseScenario(merged, `fault ${found.fault}`) };
}
