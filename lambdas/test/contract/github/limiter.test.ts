/**
 * The GitHub limiter (adapters/github/limiter.ts) on a clock that jumps forward when slept on:
 * GitHub's secondary limits per installation and endpoint, its concurrency cap, and pauses.
 */
import { expect, test } from '@jest/globals';
import { GitHubLimiter } from '../../../src/adapters/github/limiter.js';
import { RateLimitedError } from '../../../src/errors.js';
import { ManualClock } from '../../../src/sim/memory/clock.js';

const DELETE = '/orgs/{org}/actions/runners/{runner_id}';
const LABELS = '/orgs/{org}/actions/runners/{runner_id}/labels';
const done = () => Promise.resolve('ok');

/** Starts `count` calls at once and returns the clock time at which each one ran. */
async function burst(
  limiter: GitHubLimiter,
  clock: ManualClock,
  count: number,
  method: string,
  route: string,
  installation = '1',
) {
  const ranAt: number[] = [];
  await Promise.all(
    Array.from({ length: count }, () =>
      limiter.run(installation, method, route, () => {
        ranAt.push(clock.now());
        return done();
      }),
    ),
  );
  return ranAt;
}

test('180 writes a minute to one endpoint (900 points at 5 each) go at once; the 181st waits for the first to leave the minute', async () => {
  const clock = new ManualClock(0);
  const limiter = new GitHubLimiter(clock);
  const ranAt = await burst(limiter, clock, 181, 'DELETE', DELETE);
  expect(ranAt.slice(0, 180).every((t) => t === 0)).toBe(true);
  expect(ranAt[180]).toBe(60_000);
});

test('reads cost one point: 900 a minute', async () => {
  const clock = new ManualClock(0);
  const ranAt = await burst(new GitHubLimiter(clock), clock, 901, 'GET', DELETE);
  expect(ranAt.filter((t) => t === 0)).toHaveLength(900);
});

test('another endpoint, or another installation, does not wait for a saturated one', async () => {
  const clock = new ManualClock(0);
  const limiter = new GitHubLimiter(clock);
  await burst(limiter, clock, 180, 'DELETE', DELETE);
  expect(await burst(limiter, clock, 180, 'PUT', LABELS)).toEqual(Array(180).fill(0));
  expect(await burst(limiter, clock, 180, 'DELETE', DELETE, '2')).toEqual(Array(180).fill(0));
});

test('at most 100 requests of an installation are in flight; the next starts when one ends', async () => {
  const clock = new ManualClock(0);
  const limiter = new GitHubLimiter(clock);
  let inFlight = 0;
  let most = 0;
  const releases: (() => void)[] = [];
  const calls = Array.from({ length: 101 }, () =>
    limiter.run('1', 'GET', DELETE, async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise<void>((resolve) => releases.push(resolve));
      inFlight--;
    }),
  );
  await new Promise((resolve) => setImmediate(resolve));
  expect([inFlight, releases.length]).toEqual([100, 100]);
  releases.shift()?.();
  await new Promise((resolve) => setImmediate(resolve));
  expect([most, releases.length]).toEqual([100, 100]);
  for (const release of releases.splice(0)) release();
  await new Promise((resolve) => setImmediate(resolve));
  for (const release of releases.splice(0)) release();
  await Promise.all(calls);
  expect(most).toBe(100);
});

test('a pause (retry-after) holds every endpoint of the installation; one longer than allowed is a RateLimitedError with its time', async () => {
  const clock = new ManualClock(0);
  const limiter = new GitHubLimiter(clock);
  limiter.pause('1', 30_000);
  expect(await burst(limiter, clock, 1, 'GET', LABELS)).toEqual([30_000]);
  limiter.pause('1', 30_000 + 3_600_000);
  const refused = await limiter.run('1', 'GET', LABELS, done, 10_000).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(RateLimitedError);
  expect((refused as RateLimitedError).retryAtMs).toBe(3_630_000);
  expect(await burst(limiter, clock, 1, 'GET', LABELS, '2')).toEqual([30_000]);
});

test('an exhausted primary budget in an answer pauses the installation until its reset', async () => {
  const clock = new ManualClock(0);
  const limiter = new GitHubLimiter(clock);
  limiter.observe('1', { 'x-ratelimit-remaining': '12', 'x-ratelimit-reset': '100' });
  expect(await burst(limiter, clock, 1, 'GET', LABELS)).toEqual([0]);
  limiter.observe('1', { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '100' });
  expect(await burst(limiter, clock, 1, 'GET', LABELS)).toEqual([100_000]);
});

test('a wait longer than the caller allows is a RateLimitedError at once: the call is never made', async () => {
  const clock = new ManualClock(0);
  const limiter = new GitHubLimiter(clock);
  await burst(limiter, clock, 180, 'DELETE', DELETE);
  let called = false;
  const refused = await limiter
    .run('1', 'DELETE', DELETE, () => ((called = true), done()), 10_000)
    .catch((e: unknown) => e);
  expect([refused instanceof RateLimitedError, (refused as RateLimitedError).retryAtMs, called, clock.now()]).toEqual([
    true,
    60_000,
    false,
    0,
  ]);
});
