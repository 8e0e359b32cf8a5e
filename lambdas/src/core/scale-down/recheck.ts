import { ConflictError, FleetError, NotFoundError } from '../../errors.js';
import type { FleetInstance, RunnerOwner } from '../../ports/index.js';
import { TAG, encodeLifecycle } from '../tags.js';
import { forEachLimited, type KeyedLimiter } from './limiter.js';
import { indexRunners, observeInstance, type RunnerIndex } from './observe.js';
import { Deferred, type RunState } from './run-state.js';
import { TAG_BATCH, chunk, type Settling } from './prepare.js';
import type { ObservedInstance } from './types.js';
import { readDemand, returnForDemand } from './demand.js';
import { recheckVerdict } from './verdict.js';

const DESCRIBE_BATCH = 200;

/** Fresh state for the re-check: one DescribeInstances per batch, one runner list per owner. */
async function reread(run: RunState, settling: readonly Settling[]) {
  const { ports } = run.deps;
  const ids = settling.map((s) => s.action.instanceId);
  const instances = new Map<string, FleetInstance>();
  for (let i = 0; i < ids.length; i += DESCRIBE_BATCH) {
    const batch = ids.slice(i, i + DESCRIBE_BATCH);
    const found = await run.ec2(() => ports.ec2.listInstances({ instanceIds: batch, states: ['pending', 'running'] }));
    for (const instance of found) instances.set(instance.instanceId, instance);
  }
  // GitHub's view is re-read only where a registration may have appeared (instances retired
  // between registrations). For registered candidates the DELETE is the fresh REST check: it
  // answers 422 when GitHub holds the runner busy and 404 when a job took it (world-model.md).
  const indexes = new Map<string, RunnerIndex>();
  const relist = new Map<string, RunnerOwner>();
  for (const s of settling) {
    if (s.action.runnerId === undefined) relist.set(s.action.ownerKey, s.action.owner);
  }
  for (const s of settling) {
    if (relist.has(s.action.ownerKey)) continue;
    const known = settling.filter((o) => o.action.ownerKey === s.action.ownerKey).flatMap((o) => o.action.runner ?? []);
    indexes.set(s.action.ownerKey, indexRunners(known));
  }
  await Promise.all(
    [...relist].map(async ([key, owner]) => {
      try {
        indexes.set(key, indexRunners(await run.github(key, () => ports.github.listRunners(owner))));
      } catch (error) {
        if (!(error instanceof FleetError || error instanceof Deferred)) throw error;
        run.deps.log.warn('runner re-list failed; owner re-checked next run', { owner: key });
      }
    }),
  );
  return { instances, indexes };
}

interface Termination {
  readonly settling: Settling;
  readonly runnerId?: number;
  readonly backstop: boolean;
}

/** Steps 5-6: re-check each settled candidate on fresh state, deregister, then terminate in batches. */
export async function recheckAndRetire(
  run: RunState,
  limiter: KeyedLimiter,
  settling: readonly Settling[],
): Promise<PromiseSettledResult<void>[]> {
  if (settling.length === 0 || run.aborted) return [];
  let fresh: Awaited<ReturnType<typeof reread>>;
  try {
    fresh = await reread(run, settling);
  } catch (error) {
    if (error instanceof Deferred) return []; // EC2 rate limited: every candidate is re-checked next run
    throw error;
  }
  const { instances, indexes } = fresh;
  // Guarantee 3: demand that arrived during the settle wait, read once more after it.
  const demand = await readDemand(
    run,
    settling.map((s) => s.action.pool),
  );
  const terminations: Termination[] = [];
  const results = await forEachLimited(
    limiter,
    settling,
    (s) => s.action.ownerKey,
    (s) =>
      run.guard({ instanceId: s.action.instanceId, pool: s.action.pool }, async () => {
        const current = instances.get(s.action.instanceId);
        if (current === undefined) return; // terminated already (ended by itself, or by a previous run)
        if (!indexes.has(s.action.ownerKey)) return; // owner not re-listed: no decision without fresh facts
        const instance = observeInstance(current, run.deps.config, (key) => indexes.get(key));
        const termination = await decide(run, s, instance, demand);
        if (termination !== undefined) terminations.push(termination);
      }),
  );
  if (run.aborted) return results;
  await terminate(run, terminations);
  return results;
}

/** Terminates deregistered (or never registered) instances, one call per batch. */
async function terminate(run: RunState, terminations: readonly Termination[]): Promise<void> {
  const { ports, log } = run.deps;
  for (const batch of chunk(terminations, TAG_BATCH)) {
    await run.guard({ instances: batch.length, step: 'terminate' }, async () => {
      await run.ec2(() => ports.ec2.terminateInstances(batch.map((t) => t.settling.action.instanceId)));
      for (const t of batch) {
        const attributes = {
          instanceId: t.settling.action.instanceId,
          pool: t.settling.action.pool,
          runnerId: t.runnerId,
        };
        if (t.backstop) {
          run.count('backstops');
          log.warn('silent agent past the maximum job duration; instance terminated', attributes);
        } else {
          run.count('retired');
          log.info('runner retired', attributes);
        }
      }
    });
  }
}

async function decide(
  run: RunState,
  s: Settling,
  instance: ObservedInstance,
  demand: Map<string, number>,
): Promise<Termination | undefined> {
  const { ports, config, log } = run.deps;
  const pool = config.pools[s.action.pool]!;
  const attributes = { instanceId: s.action.instanceId, pool: s.action.pool, runnerId: instance.runner?.id };
  const verdict = recheckVerdict({
    instance,
    expectRunner: s.action.runnerId !== undefined,
    markMs: s.markMs,
    quarantinedMs: s.quarantinedMs,
    nowMs: run.now(),
    maxJobMs: pool.maxJobDurationMinutes * 60_000,
  });
  switch (verdict.kind) {
    case 'busy':
      run.count('skippedBusy', `skippedBusy.${verdict.signal}`);
      log.info('retiring runner shows work; left retiring', { ...attributes, signal: verdict.signal });
      return undefined;
    case 'taken':
      run.count('taken');
      log.info('quarantined runner taken or gone; left to end by itself', attributes);
      return undefined;
    case 'wait-ack':
      log.info('no acknowledgement yet; re-checked next run', attributes);
      return undefined;
    case 'remark': {
      // Ask the agent again; the quarantine time stays, so settle is not paid twice.
      const lifecycle = encodeLifecycle({ phase: 'quarantined', markMs: run.now(), quarantinedMs: s.quarantinedMs });
      await run.ec2(() => ports.ec2.createTags([s.action.instanceId], { [TAG.lifecycle]: lifecycle }));
      run.count('remarked');
      log.info('agent asked for a fresh acknowledgement', attributes);
      return undefined;
    }
    case 'registered': {
      // It registered after the mark: back to `retiring` so the next run quarantines the new registration.
      const lifecycle = encodeLifecycle({ phase: 'retiring', markMs: s.markMs });
      await run.ec2(() => ports.ec2.createTags([s.action.instanceId], { [TAG.lifecycle]: lifecycle }));
      log.info('instance registered while retiring; quarantined next run', attributes);
      return undefined;
    }
    case 'retire': {
      // A candidate that can serve a waiting job goes back to its pool instead.
      if ((demand.get(s.action.pool) ?? 0) > 0) {
        await returnForDemand(run, [s], demand);
        return undefined;
      }
      return deregister(run, s, instance, false);
    }
    case 'backstop':
      return deregister(run, s, instance, true);
  }
}

/** DELETE the registration (now harmless): the termination to make, or undefined when taken. */
async function deregister(
  run: RunState,
  s: Settling,
  instance: ObservedInstance,
  backstop: boolean,
): Promise<Termination | undefined> {
  const runnerId = instance.runner?.id;
  if (runnerId !== undefined) {
    try {
      await run.github(s.action.ownerKey, () => run.deps.ports.github.deleteRunner(s.action.owner, runnerId));
    } catch (error) {
      // 422: GitHub holds it busy. 404: a job consumed the JIT registration, or it is gone.
      // Both mean "taken": the instance ends by itself after its job (world-model.md, DELETE rows).
      // Past the backstop no job can still run on a quarantined runner, so a 404 there is "gone".
      const taken = error instanceof ConflictError || (error instanceof NotFoundError && !backstop);
      if (taken) {
        run.count('taken');
        run.deps.log.info('runner taken at deregistration; left to end by itself', {
          instanceId: s.action.instanceId,
          pool: s.action.pool,
          runnerId,
        });
        return undefined;
      }
      if (!(error instanceof NotFoundError)) throw error;
    }
  }
  return { settling: s, ...(runnerId === undefined ? {} : { runnerId }), backstop };
}
