import burst from './burst.json' with { type: 'json' };
import chaos from './chaos.json' with { type: 'json' };
import hostileRunner from './hostile-runner.json' with { type: 'json' };
import lagHeavy from './lag-heavy.json' with { type: 'json' };
import staleFlag from './stale-flag.json' with { type: 'json' };
import staleLabels from './stale-labels.json' with { type: 'json' };
import spotReclaim from './spot-reclaim.json' with { type: 'json' };
import steady from './steady.json' with { type: 'json' };
import warmPool from './warm-pool.json' with { type: 'json' };
import webhookLoss from './webhook-loss.json' with { type: 'json' };

/** Built-in scenarios, imported as JSON so a bundled CLI carries them. Validated by `loadScenario`. */
export const BUILTIN_SCENARIOS: Readonly<Record<string, unknown>> = {
  steady,
  burst,
  'lag-heavy': lagHeavy,
  'stale-flag': staleFlag,
  'webhook-loss': webhookLoss,
  'stale-labels': staleLabels,
  chaos,
  'hostile-runner': hostileRunner,
  'warm-pool': warmPool,
  'spot-reclaim': spotReclaim,
};
