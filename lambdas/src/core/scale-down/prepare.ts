import { NotFoundError } from '../../errors.js';
import { TAG, encodeLifecycle } from '../tags.js';
import { forEachLimited, type KeyedLimiter } from './limiter.js';
import { quarantineRunner } from './quarantine.js';
import type { RunState } from './run-state.js';
import { attrs } from './steps.js';
import type { RetireAction } from './types.js';

/** A retirement waiting for its settle period to end, then for the re-check. */
export interface Settling {
  readonly action: RetireAction;
  readonly markMs: number;
  readonly quarantinedMs: number;
  /** When this run wrote its fence on a mark it resumed at the re-check (not re-read before `FENCE_VISIBLE_MS`). */
  readonly fencedMs?: number;
}

/**
 * EC2 tag reads are eventually consistent, 0-2 s (world-model.md, "tag reads are eventually
 * consistent"): a run that re-read a mark right after writing its fence on it could still see the
 * previous run's token, take the mark for another run's (guarantee 4) and leave it for the next
 * run, once per run — past guarantee 2's bound. A resumed mark is re-read no sooner than this after
 * the fence was written: twice the bound. New marks are re-read after the settle wait anyway.
 */
export const FENCE_VISIBLE_MS = 4_000;

interface Marked {
  readonly action: RetireAction;
  readonly markMs: number;
}

/**
 * EC2 tag writes share an account-wide token bucket (world-model.md, "account-wide request
 * token buckets"; architecture.md §6): one CreateTags per batch of instances, not per instance.
 */
export const TAG_BATCH = 500;

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Writes one lifecycle value, with this run's fencing token, on a batch of instances (or the token
 * alone: a claim of marks an earlier run made); true when written.
 */
export async function tagBatch(run: RunState, ids: readonly string[], lifecycle?: string): Promise<boolean> {
  let written = false;
  if (!(await run.leaseHeld())) return false;
  const tags: Record<string, string> = { [TAG.fence]: String(run.lease.token) };
  if (lifecycle !== undefined) tags[TAG.lifecycle] = lifecycle;
  await run.guard({ instances: ids.length, step: lifecycle === undefined ? 'claim' : 'lifecycle-tag' }, async () => {
    await run.ec2Write(() => run.deps.ports.ec2.createTags(ids, tags));
    written = true;
  });
  return written;
}

/** Takes over marks an earlier run made (guarantee 4): its token on them, batch by batch. Returns those claimed. */
async function claim<T extends { readonly action: RetireAction }>(run: RunState, resumed: readonly T[]): Promise<T[]> {
  const claimed: T[] = [];
  for (const batch of chunk(resumed, TAG_BATCH)) {
    if (
      await tagBatch(
        run,
        batch.map((r) => r.action.instanceId),
      )
    )
      claimed.push(...batch);
  }
  return claimed;
}

/**
 * Steps 2-3 of the protocol for every candidate of the run: mark (before any other write, so
 * a crash later is resumed by the next run), quarantine, record the quarantine time. Every
 * write is idempotent: a rerun that finds the same tags repeats or skips it.
 * Returns the candidates ready to settle, those resumed at the re-check included.
 */
export async function prepareRetirements(
  run: RunState,
  limiter: KeyedLimiter,
  actions: readonly RetireAction[],
): Promise<{ settling: Settling[]; failures: PromiseSettledResult<void>[] }> {
  const { ports, log } = run.deps;
  const claimed = await claim(
    run,
    actions
      .filter((a) => a.from === 'recheck')
      .map((a) => ({ action: a, markMs: a.markMs ?? 0, quarantinedMs: a.quarantinedMs ?? a.markMs ?? 0 })),
  );
  // Once the writes have returned: the fence is visible to reads from FENCE_VISIBLE_MS after this.
  const fencedMs = run.now();
  const settling: Settling[] = claimed.map((s) => ({ ...s, fencedMs }));

  // Step 2: one mark time for the whole run.
  const markMs = run.now();
  const marked: Marked[] = [];
  for (const batch of chunk(
    actions.filter((a) => a.from === 'mark'),
    TAG_BATCH,
  )) {
    const ids = batch.map((a) => a.instanceId);
    if (await tagBatch(run, ids, encodeLifecycle({ phase: 'retiring', markMs }))) {
      marked.push(...batch.map((action) => ({ action, markMs })));
      for (const action of batch) {
        if (action.pastLifetime !== true) log.info('runner marked retiring', attrs(action));
        else {
          // The hard bound at work: expected for long-lived warm instances, a sign of a lying agent otherwise.
          run.deps.metrics.count('pastLifetime');
          log.warn('runner marked retiring: past its maximum lifetime', attrs(action));
        }
      }
    }
  }
  marked.push(
    ...(await claim(
      run,
      actions.filter((a) => a.from === 'quarantine').map((action) => ({ action, markMs: action.markMs ?? markMs })),
    )),
  );

  // Step 3: quarantine, concurrently within the limits.
  const quarantined: Marked[] = [];
  const taken: Marked[] = [];
  const failures = await forEachLimited(
    limiter,
    marked,
    (m) => m.action.ownerKey,
    (m) =>
      run.guard(attrs(m.action), async () => {
        const runnerId = m.action.runnerId;
        if (runnerId !== undefined) {
          try {
            await run.githubWrite(m.action.ownerKey, () =>
              quarantineRunner(ports.github, run.groups, m.action.owner, runnerId, m.action.instanceId),
            );
          } catch (error) {
            // Not found: taken by a job (JIT) or gone; the next run decides on the agent's word. A
            // consumed or deleted registration takes no job, and scale-up gives a marked instance no
            // other: it counts as quarantined now, so the retirement bound runs from here and a job
            // on it (or an agent lying `busy`) cannot defer it (docs/safety.md, guarantee 2).
            if (!(error instanceof NotFoundError)) throw error;
            run.count('taken');
            log.info('runner taken or gone before quarantine', attrs(m.action));
            taken.push(m);
            return;
          }
        }
        quarantined.push(m);
      }),
  );
  if (run.aborted) return { settling, failures };

  // Taken again after a recorded quarantine: its time stands, and the re-check decides now (the
  // retirement bound may have passed; a registration that stays listed must not defer it).
  for (const m of taken) {
    const recorded = m.action.quarantinedMs;
    if (recorded !== undefined) settling.push({ action: m.action, markMs: m.markMs, quarantinedMs: recorded });
  }
  // Record the quarantine time, one write per mark time and batch; the newly taken ones settle next run.
  const quarantinedMs = run.now();
  const byMark = new Map<number, Marked[]>();
  const takenNow = taken.filter((m) => m.action.quarantinedMs === undefined);
  for (const m of [...quarantined, ...takenNow]) byMark.set(m.markMs, [...(byMark.get(m.markMs) ?? []), m]);
  for (const [mark, group] of byMark) {
    for (const batch of chunk(group, TAG_BATCH)) {
      const value = encodeLifecycle({ phase: 'quarantined', markMs: mark, quarantinedMs });
      if (
        !(await tagBatch(
          run,
          batch.map((m) => m.action.instanceId),
          value,
        ))
      )
        continue;
      for (const m of batch) {
        if (taken.includes(m)) continue;
        run.count('quarantined');
        log.info('runner quarantined', attrs(m.action));
        settling.push({ action: m.action, markMs: mark, quarantinedMs });
      }
    }
  }
  return { settling, failures };
}
