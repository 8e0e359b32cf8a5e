import type { ScaleDownContext, ScaleDownReport, ScaleDownStrategy } from '../../core/strategy.js';
import { deregister, runBaseline } from './baseline.js';

/**
 * Baseline "confirm window" (upstream PR #5397, from its description): terminate a runner
 * only after two not-busy readings of the REST flag at least `confirmWindowSeconds` apart. The
 * first reading is remembered in an instance tag; a busy reading clears it. Then deregister
 * (a 422 skips it) and terminate.
 */
export const IDLE_SINCE_TAG = 'ghr:idle-since';

/** The window between the two readings (upstream PR #5397 proposes minutes; 5 by default here). */
export const CONFIRM_WINDOW_SECONDS = 300;

export function confirmWindow(windowSeconds = CONFIRM_WINDOW_SECONDS): ScaleDownStrategy {
  return { name: 'confirm-window', run: (context) => runConfirmWindow(context, windowSeconds * 1000) };
}

export const confirmWindowStrategy: ScaleDownStrategy = confirmWindow();

function runConfirmWindow(context: ScaleDownContext, windowMs: number): Promise<ScaleDownReport> {
  return runBaseline(
    context,
    async (instance, nowMs) => {
      const first = Number(instance.tags[IDLE_SINCE_TAG] ?? Number.NaN);
      if (!Number.isFinite(first)) {
        await context.ports.ec2.createTags([instance.instanceId], { [IDLE_SINCE_TAG]: String(nowMs) });
        return 'waiting';
      }
      if (nowMs - first < windowMs) return 'waiting';
      if ((await deregister(context, instance)) === false) return 'skipped';
      await context.ports.ec2.terminateInstances([instance.instanceId]);
      return 'terminated';
    },
    async (busy) => {
      if (busy.tags[IDLE_SINCE_TAG] !== undefined) {
        await context.ports.ec2.deleteTags([busy.instanceId], [IDLE_SINCE_TAG]);
      }
    },
  );
}
