import { FleetError } from '../../errors.js';
import { FENCE_VISIBLE_MS, TAG_BATCH, chunk, tagBatch, type Settling } from './prepare.js';
import { Deferred, type RunState } from './run-state.js';
import { returnToService } from './steps.js';
import { observeInstance } from './observe.js';
import { ACK_WINDOW_MS, QUARANTINE_EFFECT_MS, confirmationDueMs } from './verdict.js';
import { encodeLifecycle } from '../tags.js';
import { mayServeDemand } from './types.js';

/**
 * How often a run waiting out its settle period reads its pools' queues again. A job that arrives
 * meanwhile takes a quarantined candidate back within this long (plus GitHub's propagation of the
 * restored labels or group), instead of a new instance booting for it for 30-90 s (world-model.md).
 * Each read is one GetQueueAttributes per pool with candidates.
 */
export const DEMAND_POLL_SECONDS = 10;

/**
 * Waiting demand per pool: job messages on its queue (visible, in flight, delayed). The queue holds
 * jobs only (recycle requests have their own queue), so its depth is jobs not yet served: new ones,
 * and those scale-up holds at the maximum or for a runner scale-down may give back. Less the runners
 * this run already gave back to the pool: their jobs' messages are still on the queue. Unknown when
 * the queue cannot be read (no return on a guess).
 */
export async function readDemand(run: RunState, pools: Iterable<string>): Promise<Map<string, number>> {
  const demand = new Map<string, number>();
  for (const pool of new Set(pools)) {
    const queueUrl = run.deps.config.pools[pool]?.queueUrl;
    if (queueUrl === undefined) continue;
    try {
      const depth = await run.deps.ports.sqs.getQueueDepth(queueUrl);
      const waiting = depth.visible + depth.inFlight + depth.delayed;
      demand.set(pool, Math.max(0, waiting - (run.returnedByPool.get(pool) ?? 0)));
    } catch (error) {
      if (!(error instanceof FleetError)) throw error;
      run.deps.log.warn('queue depth unavailable', { pool });
    }
  }
  return demand;
}

/**
 * Gives back up to `demand[pool]` of the candidates to their pool (guarantee 3 of docs/safety.md):
 * the quarantine is undone and the mark cleared. Those to give back are re-read first: only a mark
 * this run still owns (the same mark, its fence) is undone (guarantee 4). Returns the candidates
 * that go on retiring.
 */
export async function returnForDemand(
  run: RunState,
  candidates: readonly Settling[],
  demand: ReadonlyMap<string, number>,
): Promise<Settling[]> {
  const wanted = new Map(demand);
  const toReturn: Settling[] = [];
  const remaining: Settling[] = [];
  for (const s of candidates) {
    const waiting = wanted.get(s.action.pool) ?? 0;
    if (waiting > 0 && mayServeDemand(s.action)) {
      toReturn.push(s);
      wanted.set(s.action.pool, waiting - 1);
    } else remaining.push(s);
  }
  if (toReturn.length === 0 || !(await run.leaseHeld())) return [...candidates];
  const owned = await stillOwned(run, toReturn);
  for (const s of toReturn) {
    if (!owned.has(s.action.instanceId)) continue; // gone, or no longer this run's: not returned, not retired
    let returned = false;
    await run.guard({ instanceId: s.action.instanceId, pool: s.action.pool, step: 'return-to-service' }, async () => {
      await returnToService(run, {
        ...s.action,
        kind: 'return-to-service',
        ...(s.action.runnerId === undefined ? {} : { runnerId: s.action.runnerId }),
      });
      returned = true;
    });
    // Given back: counted in run.returnedByPool, which every later demand read of this run subtracts.
    if (!returned) remaining.push(s);
  }
  return remaining;
}

/** The candidates whose mark this run still owns, re-read from EC2 (one call). */
async function stillOwned(run: RunState, settling: readonly Settling[]): Promise<Set<string>> {
  const { ports, config } = run.deps;
  const ids = settling.map((s) => s.action.instanceId);
  const found = await run.ec2(() => ports.ec2.listInstances({ instanceIds: ids, states: ['pending', 'running'] }));
  const byId = new Map(found.map((instance) => [instance.instanceId, instance]));
  const owned = new Set<string>();
  for (const s of settling) {
    const fresh = byId.get(s.action.instanceId);
    if (fresh === undefined) continue;
    if (
      run.owns(
        observeInstance(fresh, config, () => undefined, run.now()),
        s.markMs,
      )
    )
      owned.add(s.action.instanceId);
    else run.count('fenceLost');
  }
  return owned;
}

/**
 * The confirmation mark (architecture.md §3 step 4: the acknowledgement is proof of life *after* the
 * quarantine): a fresh mark on the candidates whose mark was made before their quarantine had surely
 * taken effect (`QUARANTINE_EFFECT_MS`). Only the agent's answer to it lets the re-check retire
 * (verdict.ts). Those to confirm are re-read first: only a mark this run still owns is renewed
 * (guarantee 4); the others are left to their owner. Returns the candidates that go on retiring, with
 * the mark each now carries (one whose write failed keeps its first mark: its answer earns a fresh
 * mark on the re-check, not a retirement).
 */
async function confirmMarks(run: RunState, settling: readonly Settling[]): Promise<Settling[]> {
  const confirmed = settling.filter((s) => s.markMs >= s.quarantinedMs + QUARANTINE_EFFECT_MS);
  const toConfirm = settling.filter((s) => !confirmed.includes(s));
  if (toConfirm.length === 0 || !(await run.leaseHeld())) return [...settling];
  const owned = await stillOwned(run, toConfirm);
  const markMs = run.now();
  const byQuarantine = new Map<number, Settling[]>();
  for (const s of toConfirm) {
    if (owned.has(s.action.instanceId))
      byQuarantine.set(s.quarantinedMs, [...(byQuarantine.get(s.quarantinedMs) ?? []), s]);
  }
  for (const [quarantinedMs, group] of byQuarantine) {
    const value = encodeLifecycle({ phase: 'quarantined', markMs, quarantinedMs });
    for (const batch of chunk(group, TAG_BATCH)) {
      const written = await tagBatch(
        run,
        batch.map((s) => s.action.instanceId),
        value,
      );
      confirmed.push(...batch.map((s) => (written ? { ...s, markMs } : s)));
    }
  }
  return confirmed;
}

/**
 * Step 4: wait out the settle period inside this run (architecture.md §3: a Lambda waiting 90 s
 * costs far less than an instance idling one more schedule period), measured from the latest
 * quarantine among the candidates, or from the newest orphan tag: an orphan's last check waits as
 * long, so it is gone within boot timeout + one schedule period (+ settle). While it waits, the run
 * reads its pools' demand every `DEMAND_POLL_SECONDS` and gives candidates back as jobs arrive, and
 * writes the confirmation mark once the quarantines have surely taken effect (`confirmMarks`).
 * Returns the candidates still retiring, with the marks they carry.
 */
export async function settleWatchingDemand(
  run: RunState,
  settling: readonly Settling[],
  orphanTagsMs: readonly number[],
): Promise<Settling[]> {
  let remaining = [...settling];
  const starts = [...settling.map((s) => s.quarantinedMs), ...orphanTagsMs];
  if (starts.length === 0) return remaining;
  const settleMs = run.deps.config.settleSeconds * 1000;
  const fenced = settling.map((s) => (s.fencedMs === undefined ? 0 : s.fencedMs + FENCE_VISIBLE_MS));
  let until = Math.max(Math.max(...starts) + settleMs, ...fenced);
  // Its ownership is read back first (stillOwned): not before this run's fence can show (a resumed
  // re-check past its confirmation time read the fence it had just written as another run's).
  const confirmAt = Math.max(confirmationDueMs(Math.max(...settling.map((s) => s.quarantinedMs)), settleMs), ...fenced);
  let confirmed = settling.length === 0;
  for (;;) {
    if (!confirmed && run.now() >= confirmAt) {
      confirmed = true;
      // Its answer gets the window it needs, and the re-check reads the mark back only once it shows:
      // a re-check resumed long after its settle period confirms and re-checks in the same instant otherwise.
      until = Math.max(until, run.now() + ACK_WINDOW_MS);
      if (remaining.length > 0 && !run.aborted) {
        try {
          remaining = await confirmMarks(run, remaining);
        } catch (error) {
          // EC2 throttled or failing: the candidates keep their first marks; the re-check asks again.
          if (!(error instanceof Deferred || error instanceof FleetError)) throw error;
        }
      }
    }
    const wait = until - run.now();
    if (wait <= 0) return remaining;
    const toConfirm = confirmed ? wait : Math.max(confirmAt - run.now(), 0);
    await run.deps.ports.clock.sleep(Math.min(wait, toConfirm, DEMAND_POLL_SECONDS * 1000));
    if (remaining.length === 0 || run.aborted) continue;
    try {
      const demand = await readDemand(
        run,
        remaining.map((s) => s.action.pool),
      );
      if ([...demand.values()].some((n) => n > 0)) remaining = await returnForDemand(run, remaining, demand);
    } catch (error) {
      if (!(error instanceof Deferred)) throw error;
    }
  }
}
