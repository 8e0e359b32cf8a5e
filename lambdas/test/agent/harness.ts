/** Shared by the agent tests: a world per scenario, and the steps they wait on (see agent.test.ts). */
import { decodeAgentState } from '../../src/core/tags.js';
import { AgentWorld, QUEUE_URL, awsMode, waitFor, type AgentOptions } from '../../src/bench/agent/world.js';

/** A hang detector for things that happen eventually (about a second each; CLI start-up is ~0.5 s a call). */
export const EVENTUALLY_MS = 5 * 60_000;
/** An agent timer no test step can race: the agent would only reach it if the test hung. */
export const OUT_OF_REACH_SECONDS = 3_600;

export const AWS = awsMode(process.env);
/** Short agent timers, so a scenario takes seconds (the bench runs the agent's defaults). */
export const FAST: Pick<AgentOptions, 'pollSeconds' | 'tagPollSeconds'> = { pollSeconds: 0.2, tagPollSeconds: 0.3 };

/** Runs a scenario in its own world and always tears it down (processes, servers, files). */
export async function withWorld(scenario: (w: AgentWorld) => Promise<void>): Promise<void> {
  const world = new AgentWorld({ env: process.env, aws: AWS });
  try {
    await world.start();
    await scenario(world);
  } finally {
    if (process.env.GHR_TEST_DEBUG) console.log(`agent output:\n${world.output}`);
    await world.close();
  }
}

export const stateOf = (value: string | undefined) => decodeAgentState(value);
export const heads = (w: AgentWorld) =>
  w.writes().map((write) => {
    const state = stateOf(write.value);
    return state?.state === 'busy' ? `busy:${state.jobId}` : (state?.state ?? `invalid:${write.value}`);
  });
export const lastWrite = (w: AgentWorld) => w.writes().at(-1);
export const firstWrite = (w: AgentWorld, head: string) => w.writes()[heads(w).indexOf(head)];

/**
 * One job, held until the agent has published it busy, then ended. A job that ends by itself could
 * pass between two of the agent's polls unseen on a slow machine (issue 11); tests that only need
 * the job done use the fake runner's FAKE_JOB_MS instead.
 */
export async function runJob(w: AgentWorld, jobId = 'build'): Promise<void> {
  const from = w.writes().length;
  w.signal('start-job');
  await waitFor(() => heads(w).slice(from).includes(`busy:${jobId}`), EVENTUALLY_MS, 'the busy state');
  w.signal('finish-job');
}

/** A job that runs until its request comes, then ends; the requests while it ran and after its runner exited. */
export async function jobWithRequests(w: AgentWorld): Promise<[unknown[], unknown[]]> {
  const from = w.writes().length;
  w.signal('start-job');
  const ahead = await receiveAll(w, 1);
  w.signal('finish-job');
  await waitFor(() => heads(w).slice(from).includes('exited'), EVENTUALLY_MS, 'the exited state');
  return [ahead, await receiveAll(w, 1)];
}

/** Waits for `count` messages on the pool's queue and deletes them. */
export async function receiveAll(w: AgentWorld, count: number): Promise<unknown[]> {
  const bodies: unknown[] = [];
  await waitFor(
    async () => {
      const messages = await w.sqs.receiveMessages(QUEUE_URL, { maxMessages: 10, visibilityTimeoutSeconds: 60 });
      for (const message of messages) {
        bodies.push(JSON.parse(message.body));
        await w.sqs.deleteMessage(QUEUE_URL, message.receiptHandle);
      }
      return bodies.length >= count;
    },
    EVENTUALLY_MS,
    `${count} recycle request(s)`,
  );
  return bodies;
}
