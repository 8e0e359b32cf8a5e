/**
 * The real agent/ghr-agent.sh against the simulator's EC2/SSM/SQS facades, an IMDSv2 facade and a
 * fake runner (issue 5: busy and idle tags follow the worker, the instance shuts itself down after
 * its runner exits, and never while a worker runs).
 *
 * The agent runs on real time (bash, real sleeps), so these tests assert what happens and in which
 * order, never how fast (issue 11: no test depends on the machine's speed). Every wait is a hang
 * detector far above the expected second or two; no step of a test must beat one of the agent's
 * own timers: a test that needs an answer before a timeout sets that timeout out of reach, and the
 * timeouts themselves are tested where nothing races them. Nor must the agent beat the test: a job
 * whose busy state a test asserts is held until the agent has published it (runJob), "a while
 * later" is a number of turns of the agent's loop (lifecycleReadsMore), never a sleep, and times
 * are compared only where one event causes the other. How fast the agent publishes (world-model.md:
 * within 4 s of a worker's start) is a speed figure: `npm run bench -- --only agent` measures it.
 *
 * The scenarios run concurrently (each has its own facades, instance, worker name and temp
 * directory) to keep the wall time near that of the longest one.
 */
import { describe, expect, test } from '@jest/globals';
import { sanitizeJobId } from '../../src/core/tags.js';
import { sha256, waitFor } from '../../src/bench/agent/world.js';
import { AWS, EVENTUALLY_MS, FAST, firstWrite, heads, lastWrite, runJob, stateOf, withWorld } from './harness.js';

describe(`ghr-agent.sh (AWS calls via ${AWS === 'cli' ? 'the AWS CLI' : 'aws-shim.mjs'})`, () => {
  test.concurrent(
    'ephemeral pool: config read and deleted, idle/busy published, a mark acknowledged once, shutdown after exit',
    () =>
      withWorld(async (w) => {
        // Prepare
        const secret = await w.putConfig();

        // Act: boot. The agent may publish idle before the runner's own start record (a node
        // process booting): the order that holds is the agent's own, so wait for each.
        w.launchAgent({ ...FAST, ephemeral: true });
        await waitFor(() => heads(w).includes('idle'), EVENTUALLY_MS, 'the idle state');
        await waitFor(() => w.runs().length > 0, EVENTUALLY_MS, "the runner's start record");
        await waitFor(() => w.output.includes('state idle@'), EVENTUALLY_MS, 'the idle line of the log');

        // Assess: the runner got the config; the parameter is gone; idle was published after the start
        const [run] = w.runs();
        expect(run?.configDigest).toBe(sha256(secret));
        expect(await w.configExists()).toBe(false);
        const idle = firstWrite(w, 'idle');
        expect(idle).toBeDefined();
        expect(w.output.indexOf('runner started')).toBeGreaterThanOrEqual(0);
        expect(w.output.indexOf('runner started')).toBeLessThan(w.output.indexOf('state idle@'));
        expect(stateOf(idle?.value)?.atMs).toBeGreaterThan(0);

        // Act: scale-down marks the instance, then quarantines it (same mark)
        const mark = Date.now();
        const writesBeforeMark = w.writes().length;
        await w.setTag('ghr:lifecycle', `retiring@${mark}`);
        await waitFor(() => w.writes().length > writesBeforeMark, EVENTUALLY_MS, 'the acknowledgement');
        await w.lifecycleReadsMore(3, EVENTUALLY_MS); // the same mark read again, and handled
        await w.setTag('ghr:lifecycle', `quarantined@${mark}/${mark + 1}`);
        await w.lifecycleReadsMore(3, EVENTUALLY_MS);

        // Assess: exactly one write answered the mark: the current state with /ack:<mark>
        const answers = w.writes().slice(writesBeforeMark);
        expect(answers).toHaveLength(1);
        expect(stateOf(answers[0]?.value)).toEqual({
          state: 'idle',
          atMs: stateOf(idle?.value)?.atMs,
          ackMarkMs: mark,
        });

        // Act: a job starts
        w.signal('start-job');
        await waitFor(() => heads(w).includes('busy:build'), EVENTUALLY_MS, 'the busy state');

        // Assess: busy published after the job started, still acknowledging the mark; the agent
        // goes round its loop while the job runs, and does not end the instance
        const [jobStartMs] = w.jobStarts();
        const busy = firstWrite(w, 'busy:build');
        expect(busy?.atMs).toBeGreaterThanOrEqual(jobStartMs ?? Infinity);
        expect(stateOf(busy?.value)?.ackMarkMs).toBe(mark);
        await w.lifecycleReadsMore(3, EVENTUALLY_MS);
        expect(w.shutdownLog()).toEqual([]);

        // Act: the job ends; the one-job runner exits
        w.signal('finish-job');
        await waitFor(() => w.shutdownLog().length > 0, EVENTUALLY_MS, 'the shutdown');
        const code = await w.waitForExit(EVENTUALLY_MS);

        // Assess: exited published before the shutdown, no worker at shutdown, states in order
        const [shutdown] = w.shutdownLog();
        expect(shutdown).toMatch(/ worker=no$/);
        const exited = lastWrite(w);
        expect(stateOf(exited?.value)?.state).toBe('exited');
        expect(exited?.atMs ?? Infinity).toBeLessThanOrEqual(Number(shutdown?.split(' ')[0]));
        expect(heads(w).join(' ')).toMatch(/^(idle )+(busy:build )+(idle )*exited$/);
        expect(code).toBe(0);
        expect(w.shutdownLog()).toHaveLength(1);
        expect(w.runs()).toHaveLength(1);

        // Assess: the secret is in neither the agent's output nor its files
        expect(w.output).toContain('runner config read and deleted');
        expect(w.output).not.toContain(secret);
        expect(w.agentFiles()).not.toContain(secret);
      }),
  );

  test.concurrent('never shuts down while a worker runs, even when the listener died', () =>
    withWorld(async (w) => {
      // Prepare
      await w.putConfig();
      w.launchAgent({ ...FAST, ephemeral: true, exitEarly: true });
      await waitFor(() => heads(w).includes('idle'), EVENTUALLY_MS, 'the idle state');

      // Act: the job starts and the listener exits at once, leaving its worker running
      w.signal('start-job');
      await waitFor(() => heads(w).includes('busy:build'), EVENTUALLY_MS, 'the busy state');
      // A retirement mark arrives meanwhile: the answer must say busy (the re-check then leaves it).
      const mark = Date.now();
      await w.setTag('ghr:lifecycle', `retiring@${mark}`);
      await waitFor(() => stateOf(lastWrite(w)?.value)?.ackMarkMs === mark, EVENTUALLY_MS, 'the acknowledgement');
      await w.lifecycleReadsMore(3, EVENTUALLY_MS); // the agent went round its loop, the worker still running

      // Assess: still busy (and said so in the acknowledgement), no shutdown, agent alive
      expect(w.shutdownLog()).toEqual([]);
      expect(stateOf(lastWrite(w)?.value)).toMatchObject({ state: 'busy', jobId: 'build', ackMarkMs: mark });
      expect(w.exitCode).toBeUndefined();

      // Act: the worker ends
      w.signal('finish-job');
      await waitFor(() => w.shutdownLog().length > 0, EVENTUALLY_MS, 'the shutdown');

      // Assess
      expect(w.shutdownLog()[0]).toMatch(/ worker=no$/);
      expect(stateOf(lastWrite(w)?.value)?.state).toBe('exited');
      expect(await w.waitForExit(EVENTUALLY_MS)).toBe(0);
    }),
  );

  test.concurrent(
    "token fallback (GHES without JIT): config.sh with scale-up's arguments plus what is missing, then run.sh",
    () =>
      withWorld(async (w) => {
        // Prepare: scale-up's format (runner-config.ts), here without --ephemeral
        const token = `AABBCC${Date.now()}`;
        const args = `--url https://ghes.example.com/acme --token ${token} --name ${w.instanceId} --labels linux,x64 --unattended --no-default-labels`;
        await w.putConfig(args);

        // Act
        w.launchAgent({ ...FAST, ephemeral: true, jobMs: 300 });
        await waitFor(() => heads(w).includes('idle'), EVENTUALLY_MS, 'the idle state');
        w.signal('start-job');
        await waitFor(() => w.shutdownLog().length > 0, EVENTUALLY_MS, 'the shutdown');

        // Assess: nothing doubled, --ephemeral added for the ephemeral pool
        expect(w.configuredDigest()).toBe(sha256(`${args} --ephemeral`));
        expect(w.runs()).toHaveLength(1);
        expect(await w.configExists()).toBe(false);
        expect(stateOf(lastWrite(w)?.value)?.state).toBe('exited');
        expect(w.output).not.toContain(token);
        expect(await w.waitForExit(EVENTUALLY_MS)).toBe(0);
      }),
  );

  test.concurrent('throttled state writes are retried, and what lands is the current state', () =>
    withWorld(async (w) => {
      // Prepare: EC2 refuses the first three state writes
      await w.putConfig();
      w.throttleStateWrites = 3;

      // Act
      w.launchAgent({ ...FAST, ephemeral: true });
      await waitFor(() => heads(w).includes('idle'), EVENTUALLY_MS, 'the idle state');
      await runJob(w);
      await waitFor(() => w.shutdownLog().length > 0, EVENTUALLY_MS, 'the shutdown');

      // Assess
      expect(w.refusedStateWrites).toBe(3);
      expect(heads(w).join(' ')).toMatch(/^(idle )+(busy:build )+(idle )*exited$/);
    }),
  );

  test.concurrent("a job name outside the codec's alphabet is published as its job id (sanitizeJobId)", () =>
    withWorld(async (w) => {
      // Prepare: a matrix job's name, with a slash and a character of four UTF-8 bytes
      const name = 'test (linux, 🚀) / node-22';
      await w.putConfig();
      w.launchAgent({ ...FAST, ephemeral: true, jobName: name });
      await waitFor(() => heads(w).includes('idle'), EVENTUALLY_MS, 'the idle state');

      // Act
      await runJob(w, sanitizeJobId(name));
      await waitFor(() => w.shutdownLog().length > 0, EVENTUALLY_MS, 'the shutdown');

      // Assess: the job id of the TypeScript contract, which the control plane decodes
      expect(sanitizeJobId(name)).toBe('test--linux----------node-22');
      expect(heads(w)).toContain(`busy:${sanitizeJobId(name)}`);
      expect(w.writes().every((write) => stateOf(write.value) !== undefined)).toBe(true);
    }),
  );

  test.concurrent('no runner config within the wait: publishes exited and ends the instance', () =>
    withWorld(async (w) => {
      // Act: nothing was stored for this instance
      w.launchAgent({ ...FAST, ephemeral: true, configWaitSeconds: 1 });
      await waitFor(() => w.shutdownLog().length > 0, EVENTUALLY_MS, 'the shutdown');

      // Assess: no runner ran; the state says exited
      expect(w.runs()).toEqual([]);
      expect(heads(w)).toEqual(['exited']);
      expect(await w.waitForExit(EVENTUALLY_MS)).toBe(0);
    }),
  );
});
