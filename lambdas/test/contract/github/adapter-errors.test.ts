import { afterEach, describe, expect, test } from '@jest/globals';
import { ConflictError, NotFoundError, PermanentError, RateLimitedError, TransientError } from '../../../src/errors.js';
import type { RunnerOwner } from '../../../src/ports/github.js';
import { primaryRateLimit, secondaryRateLimit } from '../../../src/sim/facades/github/index.js';
import { CONTRACT_ORG } from '../../support/github-contract.js';
import { startStack, type Stack } from './stack.js';

const org: RunnerOwner = { kind: 'org', org: CONTRACT_ORG };
const LIST = 'GET /orgs/{org}/actions/runners';

describe('Octokit adapter: errors, rate limits and retries against the facade', () => {
  let stack: Stack;
  afterEach(async () => {
    await stack.close();
  });

  test('a primary rate limit becomes RateLimitedError with the reset time', async () => {
    // Prepare
    stack = await startStack();
    const resetAtMs = Math.ceil((stack.clock.now() + 600_000) / 1000) * 1000;
    stack.backend.failNext('listRunners', primaryRateLimit(resetAtMs));
    // Act
    const error = await stack.adapter.listRunners(org).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error instanceof RateLimitedError && error.retryAtMs).toBe(resetAtMs);
    expect(stack.facade.requests.at(-1)).toMatchObject({ endpoint: LIST, status: 403 });
  });

  test('a secondary rate limit becomes RateLimitedError after retry-after', async () => {
    // Prepare
    stack = await startStack();
    stack.backend.failNext('deleteRunner', secondaryRateLimit(stack.clock.now() + 30_000));
    // Act
    const error = await stack.adapter.deleteRunner(org, 1).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error instanceof RateLimitedError && error.retryAtMs).toBe(stack.clock.now() + 30_000);
  });

  test('with throttling on, a secondary limit is retried once and then succeeds', async () => {
    // Prepare
    stack = await startStack({ settings: { throttle: { retryAfterBaseValue: 1, maxRetries: 1 } } });
    stack.backend.failNext('listRunners', secondaryRateLimit(stack.clock.now() + 2_000));
    // Act
    const runners = await stack.adapter.listRunners(org);
    // Assess
    expect(runners).toEqual([]);
    expect(stack.facade.calls()[LIST]).toBe(2);
  });

  test('with throttling on, a primary limit is retried once; a second one in a row is given up', async () => {
    // Prepare
    stack = await startStack({ settings: { throttle: { retryAfterBaseValue: 1, maxRetries: 1 } } });
    stack.backend.failNext('listRunners', primaryRateLimit(stack.clock.now() + 1_000), 2);
    // Act
    const error = await stack.adapter.listRunners(org).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(stack.facade.calls()[LIST]).toBe(2);
  });

  test('with throttling on, a wait longer than maxWaitSeconds is not waited for', async () => {
    stack = await startStack({ settings: { throttle: { retryAfterBaseValue: 1, maxRetries: 1, maxWaitSeconds: 5 } } });
    stack.backend.failNext('listRunners', secondaryRateLimit(stack.clock.now() + 60_000));
    await expect(stack.adapter.listRunners(org)).rejects.toBeInstanceOf(RateLimitedError);
    expect(stack.facade.calls()[LIST]).toBe(1);
  });

  test('5xx becomes TransientError; with retries on it is retried once', async () => {
    // Prepare
    stack = await startStack();
    stack.backend.failNext('listRunners', new TransientError('backend down'));
    const retrying = stack.adapterWith({ settings: { retry: { retries: 1, retryAfterBaseValue: 1 } } });
    // Act
    const error = await stack.adapter.listRunners(org).catch((e: unknown) => e);
    stack.backend.failNext('listRunners', new TransientError('backend down'));
    const afterRetry = await retrying.listRunners(org);
    // Assess
    expect(error).toBeInstanceOf(TransientError);
    expect(afterRetry).toEqual([]);
    expect(stack.facade.requests.filter((r) => r.endpoint === LIST).map((r) => r.status)).toEqual([502, 502, 200]);
  });

  test('a refused connection is a TransientError', async () => {
    stack = await startStack();
    const adapter = stack.adapterWith({ config: { apiUrl: 'http://127.0.0.1:9' } });
    await expect(adapter.listRunners(org)).rejects.toBeInstanceOf(TransientError);
  });

  test('404 → NotFoundError, 422 → ConflictError, other 4xx → PermanentError', async () => {
    // Prepare
    stack = await startStack();
    const { runnerId } = await stack.adapter.generateJitConfig(org, { name: 'r', labels: ['l'], runnerGroupId: 1 });
    stack.backend.setBusy(runnerId, true);
    // Act + Assess
    await expect(stack.adapter.getRunner(org, runnerId + 1)).rejects.toBeInstanceOf(NotFoundError);
    await expect(stack.adapter.deleteRunner(org, runnerId)).rejects.toBeInstanceOf(ConflictError);
    await expect(
      stack.adapter.generateJitConfig(org, { name: 'r2', labels: [], runnerGroupId: 1 }),
    ).rejects.toBeInstanceOf(ConflictError);
    stack.backend.failNext('getRunner', new PermanentError('nope'));
    await expect(stack.adapter.getRunner(org, runnerId)).rejects.toBeInstanceOf(PermanentError);
  });
});
