import { ConflictError, FleetError, NotFoundError } from '../../errors.js';
import type { FleetInstance, RunnerOwner } from '../../ports/index.js';
import { TAG, encodeLifecycle } from '../tags.js';
import { forEachLimited, type KeyedLimiter } from './limiter.js';
import { indexRunners, observeInstance, type RunnerIndex } from './observe.js';
import { Deferred, type RunState } from './run-state.js';
import { TAG_BATCH, chunk, type Settling } from './prepare.js';
import { mayServeDemand, type ObservedInstance } from './types.js';
import { readDemand } from './demand.js';
import { returnToService } from './steps.js';
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
  if (!(await run.leaseHeld())) return [];
  const results = await forEachLimited(
    limiter,
    settling,
    (s) => s.action.ownerKey,
    (s) =>
      run.guard({ instanceId: s.action.instanceId, pool: s.action.pool }, async () => {
        const current = instances.get(s.action.instanceId);
        if (current === undefined) return; // terminated already (ended by itself, or by a previous run)
        if (!indexes.has(s.action.ownerKey)) return; // owner not re-listed: no decision without fresh facts
        const instance = observeInstance(current, run.deps.config, (key) => indexes.get(key), run.now());
        // Guarantee 4: the mark this run settled is still there and still this run's.
        if (!run.owns(instance, s.markMs)) {
          run.count('fenceLost');
          run.deps.log.info('mark changed since this run read it; left to its owner', {
            instanceId: s.action.instanceId,
            pool: s.action.pool,
          });
          return;
        }
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
    if (!(await run.leaseHeld())) return;
    await run.guard({ instances: batch.length, step: 'terminate' }, async () => {
      await run.ec2Write(() => ports.ec2.terminateInstances(batch.map((t) => t.settling.action.instanceId)));
      for (const t of batch) {
        const attributes = {
          instanceId: t.settling.action.instanceId,
          pool: t.settling.action.pool,
          runnerId: t.runnerId,
        };
        if (t.backstop) {
          run.count('backstops');
          log.warn('retirement bound passed; instance terminated whatever its agent says', attributes);
        } else {
          run.count('retired');
          log.info('runner retired', attributes);
        }
      }
    });
  }
}

/** A lifecycle value with this run's fencing token beside it. */
function fenced(run: RunState, lifecycle: string): Record<string, string> {
  return { [TAG.lifecycle]: lifecycle, [TAG.fence]: String(run.lease.token) };
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
    settleMs: config.settleSeconds * 1000,
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
      await run.ec2Write(() => ports.ec2.createTags([s.action.instanceId], fenced(run, lifecycle)));
      run.count('remarked');
      log.info('agent asked for a fresh acknowledgement', attributes);
      return undefined;
    }
    case 'registered': {
      // It registered after the mark: back to `retiring` so the next run quarantines the new registration.
      const lifecycle = encodeLifecycle({ phase: 'retiring', markMs: s.markMs });
      await run.ec2Write(() => ports.ec2.createTags([s.action.instanceId], fenced(run, lifecycle)));
      log.info('instance registered while retiring; quarantined next run', attributes);
      return undefined;
    }
    case 'retire': {
      // A candidate that can serve a waiting job goes back to its pool instead (never one past its
      // lifetime, nor one EC2 is about to reclaim).
      const waiting = demand.get(s.action.pool) ?? 0;
      if (waiting > 0 && mayServeDemand(s.action)) {
        demand.set(s.action.pool, waiting - 1);
        await returnToService(run, {
          ...s.action,
          kind: 'return-to-service',
          ...(s.action.runnerId === undefined ? {} : { runnerId: s.action.runnerId }),
        });
        return undefined;
      }
      return deregister(run, s, instance, false);
    }
    case 'backstop':
      return deregister(run, s, instance, true);
  }
}

/**
 * DELETE the registration (now harmless): the termination to make, or undefined when taken.
 * Before the retirement bound, a refusal (422: GitHub holds it busy; 404 for a JIT registration: a
 * job consumed it) means "taken": the instance ends by itself after its job (world-model.md,
 * DELETE rows). On a `retire` verdict that is guard (b) of docs/safety.md saving a job guard (a)
 * let through. Past the bound no job that could start on the runner can still run: a 404 is
 * "gone" and a 422 a stale view, and the instance is terminated all the same (guarantee 2).
 */
async function deregister(
  run: RunState,
  s: Settling,
  instance: ObservedInstance,
  backstop: boolean,
): Promise<Termination | undefined> {
  const runnerId = instance.runner?.id;
  const attributes = { instanceId: s.action.instanceId, pool: s.action.pool, runnerId };
  if (runnerId !== undefined) {
    try {
      await run.githubWrite(s.action.ownerKey, () => run.deps.ports.github.deleteRunner(s.action.owner, runnerId));
    } catch (error) {
      if (!(error instanceof ConflictError || error instanceof NotFoundError)) throw error;
      // A 404 is taken as "taken" whatever the registration: a long-lived one that is gone costs
      // one more run (the bound ends it), a JIT one taken and deleted would cost a job.
      if (!backstop) {
        run.count('taken');
        run.deps.metrics.count('guardBSaved');
        run.deps.log.error(
          'GitHub refused the DELETE (guard b): a job reached a quarantined runner that had acknowledged idle',
          {
            ...attributes,
            status: error instanceof ConflictError ? 422 : 404,
          },
        );
        return undefined;
      }
      if (error instanceof ConflictError)
        run.deps.log.warn('GitHub holds the runner busy past the retirement bound; terminated anyway', attributes);
    }
  }
  return { settling: s, ...(runnerId === undefined ? {} : { runnerId }), backstop };
}
