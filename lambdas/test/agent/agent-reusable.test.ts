/**
 * The real agent/ghr-agent.sh in a reusable pool (harness and ground rules: agent.test.ts): the
 * next registration asked for while a job runs and after it, a prepared one taken at the exit, a
 * long-lived (token) registration that needs none, resends and the recycle timeout.
 */
import { describe, expect, test } from '@jest/globals';
import { AgentWorld, POOL, QUEUE_URL, STATE_TAG, sha256, waitFor } from '../../src/bench/agent/world.js';
import {
  AWS,
  EVENTUALLY_MS,
  FAST,
  OUT_OF_REACH_SECONDS,
  heads,
  jobWithRequests,
  receiveAll,
  runJob,
  withWorld,
} from './harness.js';

describe(`ghr-agent.sh in a reusable pool (AWS calls via ${AWS === 'cli' ? 'the AWS CLI' : 'aws-shim.mjs'})`, () => {
  test.concurrent(
    'reusable pool: asks for the next registration once the job runs and again after it, and runs it',
    () =>
      withWorld(async (w) => {
        // Prepare
        const first = await startReusable(w);

        // Act: one job, then the one-job runner exits (nobody prepares the next registration)
        const firstRequests = await jobWithRequests(w);

        // Assess: a recycle request while the job ran and one after it, no shutdown
        const request = { kind: 'recycle', instanceId: w.instanceId, pool: POOL };
        expect(firstRequests).toEqual([[request], [request]]);
        expect(w.shutdownLog()).toEqual([]);

        // Act: scale-up answers with a fresh config and the signal the agent reads through IMDS
        const second = await w.putConfig();
        await w.setTag('ghr:runner-config', `ready@${Date.now()}`);
        await waitFor(() => w.runs().length === 2, EVENTUALLY_MS, 'the second runner');
        const exitedIndex = heads(w).lastIndexOf('exited');
        await waitFor(() => heads(w).slice(exitedIndex).includes('idle'), EVENTUALLY_MS, 'idle again');

        // Assess: the new runner got the new config, which is deleted; the tag went back to idle
        expect(w.runs().map((r) => r.configDigest)).toEqual([sha256(first), sha256(second)]);
        expect(await w.configExists()).toBe(false);

        // Act: a second job, and its recycle requests
        const secondRequests = await jobWithRequests(w);

        // Assess
        expect(secondRequests).toEqual([[request], [request]]);
        expect(w.shutdownLog()).toEqual([]);
        expect(heads(w).join(' ')).toMatch(
          /^(idle )+(busy:build )+(idle )*(exited )+(idle )+(busy:build )+(idle )*exited$/,
        );
        expect(w.runs()).toHaveLength(2);
        expect(w.output).not.toContain(first);
        expect(w.output).not.toContain(second);
      }),
  );

  test.concurrent(
    'reusable pool: a registration prepared while the job ran is taken at the exit, with no request',
    () =>
      withWorld(async (w) => {
        // Prepare
        const first = await startReusable(w);

        // Act: a job; its request comes while it runs; scale-up prepares the next registration
        w.signal('start-job');
        const ahead = await receiveAll(w, 1);
        const prepared = await w.putConfig();
        await w.setTag('ghr:runner-config', `ready@${Date.now()}`);
        w.signal('finish-job');
        await waitFor(() => w.runs().length === 2, EVENTUALLY_MS, 'the runner from the prepared registration');
        const exitedIndex = heads(w).lastIndexOf('exited');
        await waitFor(() => heads(w).slice(exitedIndex).includes('idle'), EVENTUALLY_MS, 'idle again');

        // Assess: one request only (the exit sent none), the prepared config used and deleted
        expect(ahead).toEqual([{ kind: 'recycle', instanceId: w.instanceId, pool: POOL }]);
        const depth = await w.sqs.getQueueDepth(QUEUE_URL);
        expect(depth.visible + depth.inFlight + depth.delayed).toBe(0);
        expect(w.runs().map((r) => r.configDigest)).toEqual([sha256(first), sha256(prepared)]);
        expect(await w.configExists()).toBe(false);
      }),
  );

  test.concurrent('reusable pool with a long-lived (token) registration: no request while its jobs run', () =>
    withWorld(async (w) => {
      // Prepare: scale-up's token format, no --ephemeral: the runner serves job after job
      const args = `--url https://ghes.example.com/acme --token AABBCC --name ${w.instanceId} --labels linux --unattended --no-default-labels`;
      await w.putConfig(args);
      w.launchAgent({ ...FAST, ephemeral: false, keepListening: true, recycleTimeoutSeconds: OUT_OF_REACH_SECONDS });
      await waitFor(() => heads(w).includes('idle'), EVENTUALLY_MS, 'the idle state');

      // Act: a job that runs while the agent goes round its loop a few more times (it would ask
      // right after its busy write)
      const from = w.writes().length;
      w.signal('start-job');
      await waitFor(() => heads(w).slice(from).includes('busy:build'), EVENTUALLY_MS, 'the busy state');
      await w.lifecycleReadsMore(3, EVENTUALLY_MS);
      const depth = await w.sqs.getQueueDepth(QUEUE_URL);
      w.signal('finish-job');

      // Assess
      expect(depth.visible + depth.inFlight + depth.delayed).toBe(0);
      expect(w.shutdownLog()).toEqual([]);
    }),
  );

  test.concurrent('reusable pool: ends itself when no answer comes within the recycle timeout', () =>
    withWorld(async (w) => {
      // Prepare: a short timeout, and nothing in this test answers (so nothing races it)
      await w.putConfig();
      w.launchAgent({ ...FAST, ephemeral: false, recycleTimeoutSeconds: 2 });
      await waitFor(() => heads(w).includes('idle'), EVENTUALLY_MS, 'the idle state');

      // Act: one job, then nobody answers
      await runJob(w);
      await waitFor(() => w.shutdownLog().length > 0, EVENTUALLY_MS, 'the shutdown after the recycle timeout');

      // Assess: it asked at least once, published exited, and ended itself with no worker running
      const requests = await receiveAll(w, 1);
      expect(new Set(requests.map((r) => JSON.stringify(r)))).toEqual(
        new Set([JSON.stringify({ kind: 'recycle', instanceId: w.instanceId, pool: POOL })]),
      );
      expect(w.shutdownLog()[0]).toMatch(/ worker=no$/);
      // A 300 ms job may start and end between two of the agent's polls: busy may never be published.
      expect(heads(w).join(' ')).toMatch(/^(idle )+(busy:build )*(idle )*exited$/);
      expect(await w.waitForExit(EVENTUALLY_MS)).toBe(0);
      expect(w.runs()).toHaveLength(1);
      expect((await w.tags())[STATE_TAG]).toMatch(/^exited@\d+(\/ack:\d+)?$/);
    }),
  );

  test.concurrent('reusable pool: an unanswered recycle request is sent again', () =>
    withWorld(async (w) => {
      // Prepare: resend every second; the timeout is out of reach, so the resends are not raced
      await w.putConfig();
      w.launchAgent({
        ...FAST,
        ephemeral: false,
        jobMs: 300,
        recycleTimeoutSeconds: OUT_OF_REACH_SECONDS,
        recycleResendSeconds: 1,
      });
      await waitFor(() => heads(w).includes('idle'), EVENTUALLY_MS, 'the idle state');

      // Act: one job, then nobody answers
      w.signal('start-job');
      const requests = await receiveAll(w, 2);

      // Assess: the same request each time, and the instance waits on
      expect(new Set(requests.map((r) => JSON.stringify(r)))).toEqual(
        new Set([JSON.stringify({ kind: 'recycle', instanceId: w.instanceId, pool: POOL })]),
      );
      expect(w.runs()).toHaveLength(1);
      expect(w.shutdownLog()).toEqual([]);
    }),
  );
});

/**
 * A reusable pool's agent started from a first config and idle; its recycle timeout and resend are
 * out of reach: the test answers each request once, however long that takes. Returns that config.
 */
async function startReusable(w: AgentWorld): Promise<string> {
  const first = await w.putConfig();
  w.launchAgent({
    ...FAST,
    ephemeral: false,
    recycleTimeoutSeconds: OUT_OF_REACH_SECONDS,
    recycleResendSeconds: OUT_OF_REACH_SECONDS,
  });
  await waitFor(() => heads(w).includes('idle'), EVENTUALLY_MS, 'the idle state');
  return first;
}
