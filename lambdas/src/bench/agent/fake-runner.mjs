#!/usr/bin/env node
/**
 * A stand-in for the GitHub Actions runner (`run.sh --jitconfig <cfg>`), one job per run, like a
 * JIT registration (unless FAKE_KEEP_LISTENING). It imitates what the agent watches (actions/runner, Runner.Listener output):
 *   "Listening for Jobs" → "<ts>: Running job: <name>" → a child process named like the worker
 *   → "<ts>: Job <name> completed with result: Succeeded" → exit 0.
 *
 * Controlled through files in FAKE_RUNNER_CONTROL (a directory the test or the bench owns):
 *   start-job      created by the test: take a job (consumed)
 *   finish-job     created by the test: the worker ends (consumed by the worker)
 *   runs.log       appended here: one line per run, `<pid> <ms> <sha256 of the config>` (never the config)
 *   job-started    appended here: `<ms>` when the job was taken, just before the "Running job" line
 *                  (so anything the agent publishes about the job comes after it)
 *   job-finished   appended here: `<ms>` when the worker has exited, just before the "completed" line
 *   configured     written by `fake-runner.mjs configure <config.sh args>` (the token fallback's
 *                  config.sh): sha256 of the arguments; a later run without --jitconfig uses it
 * Environment: FAKE_WORKER_NAME (process name of the worker, ≤ 15 chars), FAKE_JOB_NAME (default
 * `build`), FAKE_JOB_MS (the worker ends by itself after this long), FAKE_EXIT_EARLY=1 (the listener
 * dies right after spawning the worker, leaving it orphaned: the agent must still not shut down),
 * FAKE_KEEP_LISTENING=1 (after a job, listen for the next one instead of exiting, like a long-lived
 * registration: the agent then publishes idle between jobs).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout } from 'node:timers';

const control = process.env.FAKE_RUNNER_CONTROL;
if (!control) {
  console.error('FAKE_RUNNER_CONTROL is required');
  process.exit(2);
}
const workerName = process.env.FAKE_WORKER_NAME ?? 'Runner.Worker';
const jobName = process.env.FAKE_JOB_NAME ?? 'build';
const jobMs = process.env.FAKE_JOB_MS === undefined ? undefined : Number(process.env.FAKE_JOB_MS);
const exitEarly = process.env.FAKE_EXIT_EARLY === '1';
const keepListening = process.env.FAKE_KEEP_LISTENING === '1';

const sha256 = (text) => createHash('sha256').update(text).digest('hex');
const configuredFile = join(control, 'configured');
if (process.argv[2] === 'configure') {
  writeFileSync(configuredFile, sha256(process.argv.slice(3).join(' ')));
  console.log('√ Runner successfully added');
  process.exit(0);
}
const jitIndex = process.argv.indexOf('--jitconfig');
const config = jitIndex === -1 ? undefined : process.argv[jitIndex + 1];
if (!config && !existsSync(configuredFile)) {
  console.error('usage: fake-runner --jitconfig <config> (or configure first)');
  process.exit(2);
}
const digest = config ? sha256(config) : readFileSync(configuredFile, 'utf8');
appendFileSync(join(control, 'runs.log'), `${process.pid} ${Date.now()} ${digest}\n`);

const stamp = () =>
  new Date()
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const startFile = join(control, 'start-job');
const finishFile = join(control, 'finish-job');

// The worker: a shell script whose file name is the process name (comm) the agent looks for.
// It must not `exec` anything, or its comm would change.
const workerPath = join(control, workerName);
writeFileSync(workerPath, `#!/bin/sh\nwhile [ ! -e "$1" ]; do sleep 0.05; done\nrm -f "$1"\n`);
chmodSync(workerPath, 0o755);

let worker;
process.on('SIGTERM', () => {
  worker?.kill('SIGTERM');
  process.exit(143);
});

console.log('√ Connected to GitHub');
console.log(`${stamp()}: Listening for Jobs`);
do {
  while (!existsSync(startFile)) await sleep(50);
  rmSync(startFile, { force: true });

  appendFileSync(join(control, 'job-started'), `${Date.now()}\n`);
  console.log(`${stamp()}: Running job: ${jobName}`);
  worker = spawn(workerPath, [finishFile], { stdio: 'ignore' });
  if (jobMs !== undefined) setTimeout(() => writeFileSync(finishFile, ''), jobMs).unref();
  if (exitEarly) {
    worker.unref();
    console.log(`${stamp()}: listener crashed`);
    process.exit(1);
  }
  const code = await new Promise((resolve) => worker.on('exit', (c) => resolve(c)));
  appendFileSync(join(control, 'job-finished'), `${Date.now()}\n`);
  console.log(`${stamp()}: Job ${jobName} completed with result: ${code === 0 ? 'Succeeded' : 'Failed'}`);
} while (keepListening);
process.exit(0);
