import type { RunnerSource } from '../world/boot.js';
import type { Scenario } from './schema.js';

/**
 * Registration variants of a scenario, so strategies can be compared in the same mode and the
 * protocol's safety checked where GitHub's own refusal (guard (b) of docs/safety.md) is absent:
 *
 * - `own`: each strategy's own mode (ours: JIT, recycled per job; the baselines: long-lived
 *   registrations on reusable pools, as the upstream module runs them);
 * - `jit`: JIT registrations everywhere, GitHub refusing to delete an assigned one (guard (b) holds);
 * - `jit-delete-cancels`: JIT everywhere, and deleting an assigned registration succeeds and
 *   cancels its job (world-model.md's pessimistic variant: guard (b) absent);
 * - `token`: long-lived registrations everywhere (made with a registration token, `--ephemeral`
 *   on ephemeral pools): a DELETE refused only while GitHub's lagging view says busy (guard (b) absent).
 */
export const REGISTRATION_VARIANTS = ['own', 'jit', 'jit-delete-cancels', 'token'] as const;
export type RegistrationVariant = (typeof REGISTRATION_VARIANTS)[number];

/** The variants in which nothing but the protocol keeps a job alive. */
export const GUARD_B_ABSENT: readonly RegistrationVariant[] = ['jit-delete-cancels', 'token'];

export function withRegistrations(scenario: Scenario, variant: RegistrationVariant): Scenario {
  if (variant === 'own') return scenario;
  const registration = variant === 'token' ? 'token' : 'jit';
  const pools = Object.fromEntries(
    Object.entries(scenario.pools).map(([name, pool]) => [name, { ...pool, registration }]),
  ) as Scenario['pools'];
  const github = { ...scenario.world.github, jitDeleteCancels: variant === 'jit-delete-cancels' };
  return {
    ...scenario,
    name: `${scenario.name} [${variant}]`,
    pools,
    world: { ...scenario.world, github },
  };
}

export interface AdversarialOptions {
  /** Chance per instance that its agent dies silently (the backstop's case, guarantees 1 and 2). */
  readonly agentDeathChance: number;
  /** GitHub calls take up to this long: windows open between the protocol's reads and its writes. */
  readonly latencySeconds: number;
  /**
   * Share of GitHub calls answered 5xx: a quarantine that fails after its mark is retried on a later
   * run, when the agent may have acknowledged the mark already (only the settle wait then stands
   * between that acknowledgement and a job assigned while the quarantine propagates).
   */
  readonly errorRate: number;
  /** Label and group changes take effect for matching within this long (world-model.md's range to test: 0-60 s). */
  readonly propagationSeconds: number;
}

/** An adversarial world for the same scenario: the world model's ranges to test, at their far end. */
export function adversarial(scenario: Scenario, options: AdversarialOptions): Scenario {
  const github = {
    ...scenario.world.github,
    callLatencySeconds: [0, options.latencySeconds] as [number, number],
    errorRate: options.errorRate,
    labelPropagationSeconds: [0, options.propagationSeconds] as [number, number],
    groupPropagationSeconds: [0, options.propagationSeconds] as [number, number],
  };
  return {
    ...scenario,
    world: {
      ...scenario.world,
      github,
      runner: { ...scenario.world.runner, agentDeathChance: options.agentDeathChance },
    },
  };
}

/** The same scenario with the runner binary from another source (issue 15): every strategy boots alike. */
export function withRunnerSource(scenario: Scenario, runnerSource: RunnerSource): Scenario {
  return { ...scenario, world: { ...scenario.world, boot: { ...scenario.world.boot, runnerSource } } };
}
