/**
 * The simulator's agent model (lambdas/src/sim/world/agent.ts) held to the real agent
 * (agent/ghr-agent.sh), issue 12 item 5: the same scripted runner events — boot, a retirement mark,
 * its quarantine, a confirmation mark, job start, job end, runner exit, a recycle answer — are fed
 * to both, and the tag writes, recycle requests and shutdowns each makes are compared in order.
 *
 * The model runs in a simulated world with the real control plane (scale-up answers its recycle
 * request; scale-down never runs in the horizon, so the marks are the script's alone). The real
 * agent runs against the EC2/SSM/SQS/IMDS facades with the fake runner (the harness of
 * agent.test.ts), and this test plays scale-up and scale-down for it. Neither side's timing is
 * compared (issue 11): only what each writes and in which order.
 */
import { describe, expect, test } from '@jest/globals';
import { decodeAgentState, decodeLifecycle, encodeLifecycle, TAG, type Lifecycle } from '../../src/core/tags.js';
import { decodeMessage } from '../../src/core/scale-up/messages.js';
import { AgentWorld, QUEUE_URL, awsMode, waitFor } from '../../src/bench/agent/world.js';
import { resolveStrategy, runSimulation } from '../../src/sim/run.js';
import { parseScenario } from '../../src/sim/scenarios/load.js';
import type { ScenarioInput } from '../../src/sim/scenarios/schema.js';
import type { World } from '../../src/sim/world/world.js';

/** One scripted event, at a time in the simulated world (the real agent takes them in order, each once the last was answered). */
type Step =
  | {
      readonly at: number;
      readonly kind: 'mark';
      readonly lifecycle: 'retiring' | 'quarantined';
      readonly mark: number;
    }
  /** `prepared`: scale-up answers the request the agent sends once the job runs (the real agent's harness plays it). */
  | { readonly at: number; readonly kind: 'job'; readonly seconds: number; readonly prepared?: boolean }
  | { readonly at: number; readonly kind: 'kill' }
  | { readonly kind: 'answer-recycle' };

interface Script {
  readonly name: string;
  readonly ephemeral: boolean;
  /** Simulated seconds the model runs: past the last step's effects, short of the agent's recycle timeout. */
  readonly horizonSeconds: number;
  readonly steps: readonly Step[];
  /** What both must do, normalized (see `normalize`). */
  readonly expected: readonly string[];
}

const SCRIPTS: readonly Script[] = [
  {
    name: 'ephemeral: boot, a mark, its quarantine, a job, the exit',
    ephemeral: true,
    horizonSeconds: 1_200,
    steps: [
      { at: 300, kind: 'mark', lifecycle: 'retiring', mark: 1 },
      { at: 360, kind: 'mark', lifecycle: 'quarantined', mark: 1 },
      { at: 420, kind: 'job', seconds: 120 },
    ],
    expected: ['idle', 'idle=/ack:M1', 'busy/ack:M1', 'exited/ack:M1', 'shutdown'],
  },
  {
    name: 'reusable: a job with its next registration prepared, a mark and its confirmation, a job, recycle requests',
    ephemeral: false,
    horizonSeconds: 1_800,
    steps: [
      { at: 300, kind: 'job', seconds: 120, prepared: true },
      { at: 1_000, kind: 'mark', lifecycle: 'retiring', mark: 1 },
      { at: 1_100, kind: 'mark', lifecycle: 'quarantined', mark: 2 },
      // Marked: scale-up prepares nothing (the request while the job runs is dropped), so the exit asks again.
      { at: 1_200, kind: 'job', seconds: 120 },
    ],
    expected: [
      'idle',
      'busy',
      'recycle',
      'exited',
      'idle',
      'idle=/ack:M1',
      'idle=/ack:M2',
      'busy/ack:M2',
      'recycle',
      'exited/ack:M2',
      'recycle',
    ],
  },
  {
    name: 'a killed agent: nothing more is written or answered, and nothing shuts the instance down',
    ephemeral: true,
    horizonSeconds: 1_200,
    steps: [
      { at: 300, kind: 'kill' },
      { at: 360, kind: 'mark', lifecycle: 'retiring', mark: 1 },
      { at: 420, kind: 'job', seconds: 120 },
    ],
    expected: ['idle'],
  },
];

/** What one agent did, in order: state writes (raw values), recycle requests, shutdowns. */
type Observed = { readonly write: string } | { readonly other: 'recycle' | 'shutdown' };

/**
 * The comparable form. A write becomes its state (`busy` without its job id: the fake runner's job
 * name and the world's job number differ), `=` when it keeps the time the state began (an answer
 * repeats the state, it does not restart it), and `/ack:M<n>` naming the script's mark it echoes.
 * Consecutive equal entries count once (a state is re-written after a refused or stale write), and
 * an `idle` between `busy` and `exited` is dropped: the real one-job listener is idle for a moment
 * after its worker ends and before it exits, the model exits at once; both mean no job runs.
 */
function normalize(observed: readonly Observed[], marks: ReadonlyMap<number, string>): string[] {
  const out: string[] = [];
  let lastAt: number | undefined;
  for (const entry of observed) {
    let token: string;
    if ('other' in entry) token = entry.other;
    else {
      const state = decodeAgentState(entry.write);
      if (state === undefined) throw new Error(`an undecodable state write: ${entry.write}`);
      const same = state.atMs === lastAt ? '=' : '';
      const ack =
        state.ackMarkMs === undefined ? '' : `/ack:${marks.get(state.ackMarkMs) ?? `unknown(${state.ackMarkMs})`}`;
      token = `${state.state}${same}${ack}`;
      lastAt = state.atMs;
    }
    if (out.at(-1) !== token) out.push(token);
  }
  return out.filter(
    (token, i) => !(token.startsWith('idle') && out[i - 1]?.startsWith('busy') && out[i + 1]?.startsWith('exited')),
  );
}

/** The script's marks as the tag values they are written as, `now` the time of writing. */
function lifecycleOf(step: Extract<Step, { kind: 'mark' }>, markTimes: Map<number, number>, now: number): Lifecycle {
  const markMs = markTimes.get(step.mark) ?? now;
  markTimes.set(step.mark, markMs);
  return step.lifecycle === 'retiring'
    ? { phase: 'retiring', markMs }
    : { phase: 'quarantined', markMs, quarantinedMs: now };
}

const labelsOf = (markTimes: ReadonlyMap<number, number>) =>
  new Map([...markTimes].map(([n, ms]) => [ms, `M${n}`] as const));

/** The model: a one-instance pool (maxRunners 1, so the script's jobs launch nothing), no scale-down run in the horizon. */
async function runModel(script: Script): Promise<string[]> {
  const scenario: ScenarioInput = {
    name: 'agent-contract',
    hours: script.horizonSeconds / 3600,
    scaleDown: { everyMinutes: 10_000, config: {} },
    pools: { linux: { ephemeral: script.ephemeral, maxRunners: 1, prelaunch: 1, registration: 'jit' } },
    timeline: script.steps.flatMap((step) =>
      step.kind === 'job' ? [{ atSeconds: step.at, pool: 'linux', durationSeconds: step.seconds, runner: 0 }] : [],
    ),
  };
  const observed: Observed[] = [];
  const markTimes = new Map<number, number>();
  const hook = (world: World): void => {
    const { ec2, sqs } = world;
    const writeTags = ec2.writeTags.bind(ec2);
    ec2.writeTags = (instance, tags, writer) => {
      const value = tags[TAG.agentState];
      if (writer === 'agent' && value !== undefined) observed.push({ write: value });
      writeTags(instance, tags, writer);
    };
    const terminate = ec2.terminate.bind(ec2);
    ec2.terminate = (instance, by) => {
      if (by === 'self') observed.push({ other: 'shutdown' });
      terminate(instance, by);
    };
    const send = sqs.send.bind(sqs);
    sqs.send = (url, body, delay) => {
      if (isRecycle(body)) observed.push({ other: 'recycle' });
      return send(url, body, delay);
    };
    for (const step of script.steps) {
      if (step.kind !== 'mark' && step.kind !== 'kill') continue;
      world.engine.at(world.startMs + step.at * 1000, `contract-${step.kind}`, () => {
        const [instance] = world.ec2.instances.values();
        if (instance === undefined) throw new Error('no instance to mark');
        if (step.kind === 'kill') {
          world.hosts.killAgent(world.hosts.hosts.get(instance.id)!);
          return;
        }
        const value = encodeLifecycle(lifecycleOf(step, markTimes, world.now));
        world.ec2.writeTags(instance, { [TAG.lifecycle]: value }, 'scale-down');
      });
    }
  };
  const result = await runSimulation({
    scenario: parseScenario(scenario, 'agent-contract'),
    strategy: resolveStrategy('quarantine'),
    seed: 1,
    onStart: hook,
  });
  expect(result.world.ec2.instances.size).toBe(1);
  return normalize(observed, labelsOf(markTimes));
}

/** A hang detector only (issue 11): each step is awaited, never timed. */
const EVENTUALLY_MS = 5 * 60_000;
const OUT_OF_REACH_SECONDS = 3_600;

/** The real agent, fed the same steps in order; this test is its scale-up (configs) and scale-down (marks). */
async function runReal(script: Script): Promise<string[]> {
  const w = new AgentWorld({ env: process.env, aws: awsMode(process.env) });
  const recycles: number[] = [];
  const markTimes = new Map<number, number>();
  try {
    await w.start();
    await w.putConfig();
    w.launchAgent({
      ephemeral: script.ephemeral,
      pollSeconds: 0.2,
      tagPollSeconds: 0.3,
      recycleTimeoutSeconds: OUT_OF_REACH_SECONDS,
      recycleResendSeconds: OUT_OF_REACH_SECONDS,
    });
    const state = () => decodeAgentState(w.writes().at(-1)?.value)?.state;
    await waitFor(() => state() === 'idle', EVENTUALLY_MS, 'the idle state');
    let dead = false;
    for (const step of script.steps) {
      if (step.kind === 'kill') {
        await w.killAgent();
        dead = true;
      } else if (dead && step.kind === 'mark') {
        await w.setTag(TAG.lifecycle, encodeLifecycle(lifecycleOf(step, markTimes, Date.now())));
      } else if (dead && step.kind === 'job') {
        // Nothing answers: the job runs and ends on the runner the agent left behind.
        w.signal('start-job');
        await waitFor(() => w.jobStarts().length > 0, EVENTUALLY_MS, 'the job start');
        w.signal('finish-job');
        await waitFor(() => w.jobEnds().length > 0, EVENTUALLY_MS, 'the job end');
      } else if (step.kind === 'mark') {
        const from = w.writes().length;
        const value = encodeLifecycle(lifecycleOf(step, markTimes, Date.now()));
        await w.setTag(TAG.lifecycle, value);
        // A mark already answered gets no new write: wait for the agent to have read it, then for any answer.
        await w.lifecycleReadsMore(3, EVENTUALLY_MS);
        const markMs = decodeLifecycle(value)!.markMs;
        if (
          step.lifecycle === 'retiring' ||
          !w
            .writes()
            .slice(0, from)
            .some((x) => x.value.endsWith(`/ack:${markMs}`))
        ) {
          await waitFor(
            () =>
              w
                .writes()
                .slice(from)
                .some((x) => x.value.endsWith(`/ack:${markMs}`)),
            EVENTUALLY_MS,
            'the answer',
          );
        }
      } else if (step.kind === 'job') {
        const from = w.writes().length;
        w.signal('start-job');
        await waitFor(
          () =>
            w
              .writes()
              .slice(from)
              .some((x) => x.value.startsWith('busy:')),
          EVENTUALLY_MS,
          'busy',
        );
        if (!script.ephemeral) {
          await waitFor(async () => (await receiveRecycle(w)) > 0, EVENTUALLY_MS, 'the request while the job runs');
          recycles.push(w.writes().length);
          if (step.prepared === true) await answerRecycle(w);
        }
        const exitFrom = w.writes().length;
        w.signal('finish-job');
        await waitFor(() => state() === 'exited', EVENTUALLY_MS, 'exited');
        if (script.ephemeral) await waitFor(() => w.shutdownLog().length > 0, EVENTUALLY_MS, 'the shutdown');
        else if (step.prepared === true) {
          const restarted = () =>
            w
              .writes()
              .slice(exitFrom)
              .some((x) => x.value.startsWith('idle'));
          await waitFor(restarted, EVENTUALLY_MS, 'idle again, from the prepared registration');
        } else {
          await waitFor(async () => (await receiveRecycle(w)) > 0, EVENTUALLY_MS, 'the recycle request');
          recycles.push(w.writes().length);
        }
      } else {
        const from = w.writes().length;
        await answerRecycle(w);
        await waitFor(
          () =>
            w
              .writes()
              .slice(from)
              .some((x) => x.value.startsWith('idle')),
          EVENTUALLY_MS,
          'idle again',
        );
      }
    }
    const observed: Observed[] = [];
    w.writes().forEach((write, i) => {
      observed.push({ write: write.value });
      for (const at of recycles) if (at === i + 1) observed.push({ other: 'recycle' });
    });
    for (const _ of w.shutdownLog()) observed.push({ other: 'shutdown' });
    return normalize(observed, labelsOf(markTimes));
  } finally {
    await w.close();
  }
}

/** Plays scale-up answering a recycle request: the config in SSM, then its signal tag. */
async function answerRecycle(w: AgentWorld): Promise<void> {
  await w.putConfig();
  await w.setTag('ghr:runner-config', `ready@${Date.now()}`);
}

function isRecycle(body: string): boolean {
  const decoded = decodeMessage(body);
  return decoded.ok && decoded.message.kind === 'recycle';
}

/** Recycle requests taken off the pool's queue. */
async function receiveRecycle(w: AgentWorld): Promise<number> {
  const messages = await w.sqs.receiveMessages(QUEUE_URL, { maxMessages: 10, visibilityTimeoutSeconds: 60 });
  for (const message of messages) await w.sqs.deleteMessage(QUEUE_URL, message.receiptHandle);
  return messages.filter((m) => isRecycle(m.body)).length;
}

describe('the agent model does what agent/ghr-agent.sh does', () => {
  test.concurrent.each(SCRIPTS.map((s) => [s.name, s] as const))('%s', async (_name, script) => {
    // Act
    const [model, real] = await Promise.all([runModel(script), runReal(script)]);

    // Assess: the same writes and requests in the same order, and the ones the protocol relies on
    expect(model).toEqual(real);
    expect(real).toEqual(script.expected);
  });

  test('the comparison sees a difference: an answer that restarts the state, an unknown mark, a missing exit', () => {
    const marks = new Map([[5, 'M1']]);
    const base = [{ write: 'idle@1' }, { write: 'idle@1/ack:5' }, { write: 'exited@2/ack:5' }];
    expect(normalize(base, marks)).toEqual(['idle', 'idle=/ack:M1', 'exited/ack:M1']);
    expect(normalize([{ write: 'idle@1' }, { write: 'idle@3/ack:5' }], marks)).toEqual(['idle', 'idle/ack:M1']);
    expect(normalize([{ write: 'idle@1/ack:6' }], marks)).toEqual(['idle/ack:unknown(6)']);
    expect(normalize([{ write: 'busy:x@1' }, { write: 'idle@2' }, { write: 'exited@3' }], marks)).toEqual([
      'busy',
      'exited',
    ]);
    expect(normalize([{ write: 'busy:x@1' }, { write: 'idle@2' }], marks)).toEqual(['busy', 'idle']);
  });
});
