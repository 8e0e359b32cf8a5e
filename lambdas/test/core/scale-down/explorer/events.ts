import { recordJobEvidence } from '../../../../src/core/webhook/evidence.js';
import { BOUNDS } from './model.js';
import type { Box, ExplorerWorld, Job } from './world.js';

/**
 * What may happen next in the world, besides the runs' own calls. An event with `dueMs` has an
 * upper bound from the world model: it is forced to happen before time passes it, and so must be
 * synchronous (it may happen inside a run's clock read). Events without a bound may be late or
 * never happen while a run is active (webhooks, assignments, an agent's death).
 */
export type WorldEvent =
  | { readonly key: string; readonly dueMs: number; fire(): void }
  | { readonly key: string; readonly dueMs?: undefined; fire(): void | Promise<void> };

/** GitHub's matcher: a queued job goes to an online, idle runner of its pool whose view matches. */
function canAssign(world: ExplorerWorld, box: Box, job: Job): boolean {
  if (!box.registered || !box.runnerAlive || box.terminated || box.assigned !== undefined) return false;
  const home = world.home(job.pool);
  return (
    box.pool === job.pool &&
    home.labels.every((label) => box.effective.labels.includes(label)) &&
    box.effective.group === home.group
  );
}

function jobEvents(world: ExplorerWorld, job: Job, forcing: boolean, events: WorldEvent[]): void {
  const now = world.clock.now();
  const box = job.box;
  const alive = job.killedBy === undefined;
  if (box !== undefined && job.startedAtMs === undefined && alive) {
    events.push({
      key: `start ${job.id}`,
      dueMs: (job.assignedAtMs ?? now) + BOUNDS.startMs,
      fire: () => {
        job.startedAtMs = world.clock.now();
        box.worker = job;
        world.runnerChanged(box);
      },
    });
  }
  const started = job.startedAtMs;
  if (box !== undefined && started !== undefined && job.endedAtMs === undefined && alive) {
    // A job ends by itself within the pool's maximum duration; the scheduler may end it any time after its gate.
    if (forcing || world.gateOpen(job.plan.ends)) {
      events.push({
        key: `end ${job.id}`,
        dueMs: started + world.maxJobMs,
        fire: () => {
          job.endedAtMs = world.clock.now();
          delete box.assigned;
          delete box.worker;
          world.runnerChanged(box);
        },
      });
    }
  }
  if (forcing) return;
  if (job.plan.arrives !== undefined && !job.arrived && world.gateOpen(job.plan.arrives)) {
    events.push({
      key: `queue ${job.id}`,
      fire: () => {
        job.arrived = true;
        job.queued = true;
        const queueUrl = world.config.pools[job.pool]!.queueUrl;
        void world.sqs.sendMessage(queueUrl, JSON.stringify({ job: job.id })).catch((e) => world.errors.push(e));
      },
    });
  }
  if (job.queued) {
    for (const candidate of world.boxes) {
      if (!canAssign(world, candidate, job)) continue;
      events.push({
        key: `assign ${job.id}>${candidate.name}`,
        fire: async () => {
          if (candidate.views.length > 0) world.notes.add('a job assigned while a quarantine propagated');
          Object.assign(job, { queued: false, box: candidate, assignedAtMs: world.clock.now() });
          candidate.assigned = job;
          // Scale-up sees the job taken and deletes its message: the pool's demand drops (a little later).
          const queueUrl = world.config.pools[job.pool]!.queueUrl;
          const [message] = await world.sqs.receiveMessages(queueUrl, { maxMessages: 1 });
          if (message !== undefined) await world.sqs.deleteMessage(queueUrl, message.receiptHandle);
        },
      });
    }
  }
  if (box === undefined) return;
  const deliver = (status: 'in_progress' | 'completed', atMs: number) =>
    recordJobEvidence(world.ec2, 'test', box.id, { status, jobId: job.id, atMs });
  const inProgress = job.plan.inProgressHook;
  if (started !== undefined && !job.inProgressSent && inProgress !== 'lost' && world.gateOpen(inProgress)) {
    events.push({
      key: `hook+ ${job.id}`,
      fire: async () => {
        job.inProgressSent = true;
        await deliver('in_progress', started);
      },
    });
  }
  const ended = job.endedAtMs;
  const completed = job.plan.completedHook;
  if (ended !== undefined && !job.completedSent && completed !== 'lost' && world.gateOpen(completed)) {
    events.push({
      key: `hook- ${job.id}`,
      fire: async () => {
        job.completedSent = true;
        await deliver('completed', ended);
      },
    });
  }
}

function boxEvents(world: ExplorerWorld, box: Box, forcing: boolean, events: WorldEvent[]): void {
  const view = box.views[0];
  if (view !== undefined) {
    events.push({
      key: `view ${box.name}`,
      dueMs: view.dueMs,
      fire: () => {
        box.effective = box.views.shift()!.view;
      },
    });
  }
  if (!box.registered && box.runnerAlive && !box.terminated && box.deletedAtMs !== undefined) {
    events.push({
      key: `exit ${box.name}`,
      dueMs: box.deletedAtMs + BOUNDS.listenerExitMs,
      fire: () => {
        box.runnerAlive = false;
        world.runnerChanged(box);
      },
    });
  }
  if (box.agentAlive && !box.terminated && box.agentDueMs !== undefined) {
    events.push({ key: `agent ${box.name}`, dueMs: box.agentDueMs, fire: () => world.agentWrites(box) });
  }
  if (!forcing && box.dies !== undefined && box.agentAlive && !box.terminated && world.gateOpen(box.dies)) {
    events.push({
      key: `dies ${box.name}`,
      fire: () => {
        if (box.markMs !== undefined && box.lastAck === box.markMs) world.notes.add('an agent died after its answer');
        box.agentAlive = false;
        delete box.agentDueMs;
      },
    });
  }
}

/** The runs' own disturbances: a stall past the lease, a quiet lease TTL, a second run. */
function runEvents(world: ExplorerWorld, events: WorldEvent[]): void {
  const { scenario, first, used } = world;
  if (first === undefined) return;
  if (scenario.stall !== undefined && !used.has('stall') && !first.ended && !first.dead) {
    if (first.calls >= scenario.stall) {
      events.push({
        key: `stall ${first.name}`,
        fire: () => {
          world.notes.add('a run stalled past its lease');
          used.add('stall');
          first.stallArmed = true;
        },
      });
    }
  }
  if (scenario.quietAfterRun === true && !used.has('quiet') && world.runs.every((run) => run.ended)) {
    events.push({
      key: 'lease TTL passes',
      fire: () => {
        used.add('quiet');
        world.advanceTo(world.clock.now() + world.ttlMs);
      },
    });
  }
  if (scenario.secondRun !== undefined && !used.has('R2') && world.gateOpen(scenario.secondRun)) {
    events.push({
      key: 'R2 starts',
      fire: () => {
        if (!first.ended) world.notes.add('two runs overlapped');
        used.add('R2');
        world.startRun('R2', true);
      },
    });
  }
}

/** Every event that may happen now; `forcing`: only those with a bound (gates ignored for a job's end). */
export function enabledEvents(world: ExplorerWorld, forcing: boolean): WorldEvent[] {
  const events: WorldEvent[] = [];
  for (const job of world.jobs) jobEvents(world, job, forcing, events);
  for (const box of world.boxes) boxEvents(world, box, forcing, events);
  if (!forcing) runEvents(world, events);
  return events;
}
