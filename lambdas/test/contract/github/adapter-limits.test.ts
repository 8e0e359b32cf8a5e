/**
 * Issue 17: the facade answers GitHub's secondary limits (403 + retry-after) and the production
 * adapter's limiter keeps a burst of writes within them: a write that would have to wait longer
 * than the adapter may (10 s by default) is refused before it is sent, so GitHub never sees it.
 */
import { afterEach, expect, test } from '@jest/globals';
import { RateLimitedError } from '../../../src/errors.js';
import type { RunnerOwner } from '../../../src/ports/github.js';
import { CONTRACT_ORG } from '../../support/github-contract.js';
import { startStack, type Stack } from './stack.js';

const org: RunnerOwner = { kind: 'org', org: CONTRACT_ORG };
const LABELS = 'PUT /orgs/{org}/actions/runners/{runner_id}/labels';
let stack: Stack | undefined;

afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** 200 label writes at once (one endpoint: 1,000 points, over the 900 a minute GitHub allows). */
async function burstOfWrites(s: Stack): Promise<unknown[]> {
  const ids: number[] = [];
  for (let i = 0; i < 200; i++)
    ids.push((await s.backend.generateJitConfig(org, { name: `r${i}`, labels: ['l'], runnerGroupId: 1 })).runnerId);
  return Promise.all(ids.map((id) => s.adapter.setCustomLabels(org, id, ['q']).catch((e: unknown) => e)));
}

test('without the limiter, the facade refuses the writes past 900 points a minute with retry-after', async () => {
  stack = await startStack({ settings: { throttle: false } });
  const results = await burstOfWrites(stack);
  const refused = results.filter((r) => r instanceof RateLimitedError);
  const answered = stack.facade.requests.filter((r) => r.endpoint === LABELS);
  // At most 180 writes (900 points) land in the minute; the clock does not move, so the rest are refused.
  expect(answered.filter((r) => r.status === 200).length).toBeLessThanOrEqual(180);
  expect(refused.length).toBeGreaterThanOrEqual(20);
  expect(answered.filter((r) => r.status === 403)).toHaveLength(refused.length);
});

test("with the limiter, the writes past the minute's budget are never sent: each fails at once, retryable, with its time", async () => {
  stack = await startStack({ settings: { throttle: { retryAfterBaseValue: 1 } } });
  const started = stack.clock.now();
  const results = await burstOfWrites(stack);
  const refused = results.filter((r): r is RateLimitedError => r instanceof RateLimitedError);
  expect(stack.facade.requests.filter((r) => r.endpoint === LABELS).map((r) => r.status)).toEqual(Array(180).fill(200));
  expect(refused).toHaveLength(20);
  // The first write leaves the minute at started + 60 s: the next call may go then, not before.
  expect(refused.every((e) => e.retryAtMs === started + 60_000)).toBe(true);
  expect(stack.clock.now()).toBe(started);
});
