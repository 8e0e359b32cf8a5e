import { quarantineStrategy, runScaleDown } from '../../core/scale-down/index.js';
import type { ScaleDownStrategy } from '../../core/strategy.js';
import { confirmWindowStrategy } from '../baselines/confirm-window.js';
import { deregisterRecheckStrategy } from '../baselines/deregister-recheck.js';
import { naiveStrategy } from '../baselines/naive.js';
import type { RegistrationMode } from '../world/pools.js';

/** Ours one runner at a time (concurrency 1 globally and per owner): the scale benchmark's reference. */
export const sequentialStrategy: ScaleDownStrategy = {
  name: 'sequential',
  run: (context) => runScaleDown(context, { concurrency: { global: 1, perKey: 1 } }),
};

/** A strategy as the simulator runs it: the protocol plus the registration mode of its reusable pools. */
export interface StrategyEntry {
  readonly strategy: ScaleDownStrategy;
  /** Own mode for a reusable pool (world-model.md, "Comparing strategies fairly"); ephemeral pools use JIT. */
  readonly reusableRegistration: RegistrationMode;
  /** Ours, or a baseline the simulator injects for comparison (sim/baselines; never shipped). */
  readonly ours: boolean;
}

/**
 * Every strategy the simulator knows, with its own mode: the baselines keep a long-lived
 * registration on reusable pools as the upstream module does; ours recycles JIT registrations.
 */
export const STRATEGIES: Readonly<Record<string, StrategyEntry>> = {
  quarantine: { strategy: quarantineStrategy, reusableRegistration: 'jit', ours: true },
  sequential: { strategy: sequentialStrategy, reusableRegistration: 'jit', ours: true },
  naive: { strategy: naiveStrategy, reusableRegistration: 'token', ours: false },
  'deregister-recheck': { strategy: deregisterRecheckStrategy, reusableRegistration: 'token', ours: false },
  'confirm-window': { strategy: confirmWindowStrategy, reusableRegistration: 'token', ours: false },
};

export const BASELINES: readonly string[] = Object.keys(STRATEGIES).filter((name) => !STRATEGIES[name]!.ours);

export function resolveStrategy(name: string): StrategyEntry {
  const entry = Object.hasOwn(STRATEGIES, name) ? STRATEGIES[name] : undefined;
  if (!entry) throw new Error(`unknown strategy "${name}" (known: ${Object.keys(STRATEGIES).join(', ')})`);
  return entry;
}

/** Any strategy object, as an entry (a custom one runs ours' mode). */
export function entryOf(strategy: StrategyEntry | ScaleDownStrategy): StrategyEntry {
  if ('strategy' in strategy) return strategy;
  return STRATEGIES[strategy.name] ?? { strategy, reusableRegistration: 'jit', ours: true };
}
