import { NotFoundError } from '../../errors.js';
import type { ScaleDownStrategy } from '../../core/strategy.js';
import { deregister, runBaseline } from './baseline.js';

/**
 * Baseline "deregister, then re-check" (the seed fix proposed upstream): DELETE the
 * registration, then GET the runner; a busy runner is left, anything else terminated.
 * A GET after a successful DELETE is always 404 (world-model.md, PR #5201 review), which this
 * strategy reads as idle: so it terminates whatever the DELETE let through, busy or not.
 */
export const deregisterRecheckStrategy: ScaleDownStrategy = {
  name: 'deregister-recheck',
  run: (context) =>
    runBaseline(context, async (instance) => {
      const deleted = await deregister(context, instance);
      if (deleted === false) return 'skipped';
      try {
        const runner = await context.ports.github.getRunner(instance.owner!, instance.runner!.id);
        if (runner.busy) return 'skipped';
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error; // 404: read as "idle"
      }
      await context.ports.ec2.terminateInstances([instance.instanceId]);
      return 'terminated';
    }),
};
