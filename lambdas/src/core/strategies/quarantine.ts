import { runScaleDown } from '../scale-down/index.js';
import type { ScaleDownStrategy } from '../strategy.js';

/** Ours, the default: quarantine, settle, re-check on the agent's word, then deregister and terminate. */
export const quarantineStrategy: ScaleDownStrategy = {
  name: 'quarantine',
  run: (context) => runScaleDown(context),
};

/** Ours one runner at a time (concurrency 1 globally and per owner): the scale benchmark's reference. */
export const sequentialStrategy: ScaleDownStrategy = {
  name: 'sequential',
  run: (context) => runScaleDown(context, { concurrency: { global: 1, perKey: 1 } }),
};
