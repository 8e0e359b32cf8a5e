import { ConfigError } from '../../errors.js';
import type { ScaleDownStrategy } from '../strategy.js';
import { confirmWindowStrategy } from './confirm-window.js';
import { deregisterRecheckStrategy } from './deregister-recheck.js';
import { naiveStrategy } from './naive.js';
import { quarantineStrategy, sequentialStrategy } from './quarantine.js';

/** Every scale-down strategy by name: ours (`quarantine`, `sequential`) and the baselines. */
export const strategies: Readonly<Record<string, ScaleDownStrategy>> = {
  quarantine: quarantineStrategy,
  sequential: sequentialStrategy,
  'deregister-recheck': deregisterRecheckStrategy,
  'confirm-window': confirmWindowStrategy,
  naive: naiveStrategy,
};

export function getStrategy(name: string): ScaleDownStrategy {
  const strategy = Object.hasOwn(strategies, name) ? strategies[name] : undefined;
  if (strategy === undefined) {
    throw new ConfigError(
      `unknown scale-down strategy "${name}"; valid names: ${Object.keys(strategies).sort().join(', ')}`,
      [`strategy: unknown "${name}"`],
    );
  }
  return strategy;
}
