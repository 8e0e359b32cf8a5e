import { expect } from '@jest/globals';
import { planScaleDown } from '../../../src/core/scale-down/plan.js';
import type {
  FleetObservation,
  ObservedInstance,
  PlannedAction,
  SkippedInstance,
} from '../../../src/core/scale-down/types.js';
import type { AgentState, JobEvidence, Lifecycle } from '../../../src/core/tags.js';
import type { GitHubRunner } from '../../../src/ports/index.js';
import { MIN, REPO, ORG, T0, makeConfig } from '../world.js';

/** The planner tests' world: one observation built from specs, and the outcome for one instance. */
export const NOW = T0;
export const config = makeConfig();

export function runner(over: Partial<GitHubRunner> = {}): GitHubRunner {
  return {
    id: 7,
    name: 'i-1',
    os: 'linux',
    status: 'online',
    busy: false,
    labels: [
      { name: 'self-hosted', type: 'read-only' },
      { name: 'pool-a', type: 'custom' },
    ],
    ...over,
  };
}

export interface Spec {
  id?: string;
  pool?: string;
  org?: boolean;
  ageMin?: number;
  runner?: GitHubRunner | null;
  agent?: AgentState | null;
  evidence?: JobEvidence;
  lifecycle?: Lifecycle;
  orphanSinceMs?: number;
  bypass?: boolean;
  listed?: boolean;
}

export function inst(spec: Spec = {}): ObservedInstance {
  const id = spec.id ?? 'i-1';
  const r = spec.runner === null ? undefined : (spec.runner ?? runner({ name: id }));
  const agent = spec.agent === null ? undefined : (spec.agent ?? { state: 'idle' as const, atMs: NOW - 20 * MIN });
  return {
    instanceId: id,
    state: 'running',
    launchTimeMs: NOW - (spec.ageMin ?? 30) * MIN,
    pool: spec.pool ?? (spec.org ? 'org' : 'repo'),
    owner: spec.org ? ORG : REPO,
    ownerKey: spec.org ? 'acme' : 'acme/app',
    ...(r ? { runner: r } : {}),
    registrationKnown: spec.listed ?? true,
    ...(spec.lifecycle ? { lifecycle: spec.lifecycle } : {}),
    ...(agent ? { agent } : {}),
    ...(spec.evidence ? { evidence: spec.evidence } : {}),
    ...(spec.orphanSinceMs !== undefined ? { orphanSinceMs: spec.orphanSinceMs } : {}),
    bypassRemoval: spec.bypass ?? false,
    tags: {},
  };
}

export function observe(instances: ObservedInstance[], depth: Record<string, number> = {}): FleetObservation {
  return {
    observedAtMs: NOW,
    instances,
    owners: [],
    pools: { repo: { name: 'repo', queueDepth: depth.repo ?? 0 }, org: { name: 'org', queueDepth: depth.org ?? 0 } },
  };
}

export type Outcome = Partial<PlannedAction> | Partial<SkippedInstance>;

export function outcomeOf(observation: FleetObservation, id = 'i-1', cfg = config): PlannedAction | SkippedInstance {
  const plan = planScaleDown(observation, cfg, NOW);
  const found = [...plan.actions, ...plan.skipped].filter((x) => x.instanceId === id);
  expect(found).toHaveLength(1);
  return found[0]!;
}

export const quarantinedLabels = runner({
  labels: [
    { name: 'self-hosted', type: 'read-only' },
    { name: 'ghr-quarantine-i-1', type: 'custom' },
  ],
});
export const mark = NOW - 10 * MIN;
export const quarantinedAt = NOW - 10 * MIN + 1000;
export const quarantined: Lifecycle = { phase: 'quarantined', markMs: mark, quarantinedMs: quarantinedAt };
export const acked = (state: AgentState['state'], atMs = mark + 5000): AgentState => ({ state, atMs, ackMarkMs: mark });
