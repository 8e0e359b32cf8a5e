import { expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { latestPointerKey, tarballKey } from '../../../src/core/runner-cache/keys.js';
import { runRunnerCache, RunnerCacheError, type RunnerCacheConfig } from '../../../src/core/runner-cache/run.js';
import { RateLimitedError } from '../../../src/errors.js';
import { silentLog } from '../../../src/observability/types.js';
import { MemoryArtifactStore } from '../../../src/sim/memory/artifact-store.js';
import { MemoryRunnerReleases } from '../../../src/sim/memory/runner-releases.js';

const DAY = 86_400_000;
const bytes = (text: string) => new TextEncoder().encode(text);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const X64_330 = bytes('runner 2.330.0 x64');
const ARM_330 = bytes('runner 2.330.0 arm64');
const X64_329 = bytes('runner 2.329.0 x64');
const name = (v: string, a: string) => `actions-runner-linux-${a}-${v}.tar.gz`;

function world(options: { notesX64?: string } = {}) {
  const releases = new MemoryRunnerReleases();
  releases.publish(
    { version: '2.329.0', publishedMs: 0, notes: '', assets: [] },
    { [name('2.329.0', 'x64')]: X64_329 },
  );
  releases.publish(
    {
      version: '2.330.0',
      publishedMs: 10 * DAY,
      notes: `<!-- BEGIN SHA linux-x64 -->${options.notesX64 ?? sha(X64_330)}<!-- END SHA linux-x64 -->`,
      assets: [{ name: name('2.330.0', 'x64') }, { name: name('2.330.0', 'arm64'), sha256: sha(ARM_330) }],
    },
    { [name('2.330.0', 'x64')]: X64_330, [name('2.330.0', 'arm64')]: ARM_330 },
  );
  const store = new MemoryArtifactStore();
  const counts: Record<string, number> = {};
  const deps = {
    store,
    releases,
    clock: { now: () => 50 * DAY, sleep: () => Promise.resolve() },
    log: silentLog,
    metrics: { count: (metric: string, value = 1) => void (counts[metric] = (counts[metric] ?? 0) + value) },
  };
  return { releases, store, counts, deps };
}

const config: RunnerCacheConfig = {
  latest: ['x64', 'arm64'],
  pinned: [{ version: '2.329.0', arch: 'x64', sha256: sha(X64_329) }],
};

test('stores every version the pools use, verified, and points latest at the newest release', async () => {
  const w = world();
  const report = await runRunnerCache(w.deps, config);
  expect(report.stored.sort()).toEqual(
    [tarballKey('2.329.0', 'x64'), tarballKey('2.330.0', 'arm64'), tarballKey('2.330.0', 'x64')].sort(),
  );
  expect(await w.store.getText(latestPointerKey('x64'))).toBe(`2.330.0 ${sha(X64_330)}\n`);
  expect(await w.store.getText(latestPointerKey('arm64'))).toBe(`2.330.0 ${sha(ARM_330)}\n`);
  // 2.329.0 has been behind since 2.330.0 came out (day 10): 40 days at day 50.
  expect(report.behind).toEqual({ '2.329.0': 40 });
  expect(w.counts.PinnedRunnerDaysBehind).toBe(40);
});

test('a second run downloads nothing: the bucket already holds the expected bytes', async () => {
  const w = world();
  await runRunnerCache(w.deps, config);
  const downloads = w.releases.downloads;
  const report = await runRunnerCache(w.deps, config);
  expect([w.releases.downloads - downloads, report.stored, report.current.length]).toEqual([0, [], 3]);
});

test('a tarball whose bytes differ from the published SHA-256 is never stored, nor pointed at; the others are, and the run fails', async () => {
  // Prepare: GitHub's notes name another checksum for the x64 tarball than its bytes have.
  const w = world({ notesX64: 'f'.repeat(64) });
  // Act
  const run = runRunnerCache(w.deps, config);
  // Assess
  await expect(run).rejects.toBeInstanceOf(RunnerCacheError);
  await expect(w.store.head(tarballKey('2.330.0', 'x64'))).resolves.toBeUndefined();
  await expect(w.store.head(latestPointerKey('x64'))).resolves.toBeUndefined();
  await expect(w.store.head(tarballKey('2.330.0', 'arm64'))).resolves.toBeDefined();
  await expect(w.store.head(tarballKey('2.329.0', 'x64'))).resolves.toBeDefined();
  expect(w.counts.RunnerCacheChecksumMismatch).toBe(1);
  await expect(run.catch((e: RunnerCacheError) => e.retryable)).resolves.toBe(false);
});

test('a pinned checksum that GitHub contradicts is refused for that tarball', async () => {
  const w = world();
  const pinnedWrong: RunnerCacheConfig = {
    latest: ['x64'],
    pinned: [{ version: '2.330.0', arch: 'x64', sha256: 'e'.repeat(64) }],
  };
  const error = (await runRunnerCache(w.deps, pinnedWrong).catch((e: unknown) => e)) as RunnerCacheError;
  expect(error.failures.map((f) => f.error)).toEqual([
    expect.stringMatching(/differs from the module's pinned one/),
    expect.stringMatching(/downloaded SHA-256 .* is not the expected e{64}/),
  ]);
  await expect(w.store.head(tarballKey('2.330.0', 'x64'))).resolves.toBeUndefined();
});

test('GitHub rate-limiting the release list still keeps pinned versions, and the failure is retryable', async () => {
  const w = world();
  w.releases.failures.push(new RateLimitedError('limit'));
  const error = await runRunnerCache(w.deps, config).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RunnerCacheError);
  expect((error as RunnerCacheError).retryable).toBe(true);
  await expect(w.store.head(tarballKey('2.329.0', 'x64'))).resolves.toBeDefined();
  await expect(w.store.head(latestPointerKey('x64'))).resolves.toBeUndefined();
});

test('the pointer moves only after the new tarball is stored', async () => {
  const w = world();
  await runRunnerCache(w.deps, config);
  const newer = bytes('runner 2.331.0 x64');
  w.releases.publish(
    {
      version: '2.331.0',
      publishedMs: 49 * DAY,
      notes: '',
      assets: [{ name: name('2.331.0', 'x64'), sha256: sha(newer) }],
    },
    { [name('2.331.0', 'x64')]: newer },
  );
  w.releases.failures.push(new Error('listed'), new RateLimitedError('download limited'));
  // First call (the list) fails in this run: nothing moves.
  await expect(runRunnerCache(w.deps, { latest: ['x64'], pinned: [] })).rejects.toBeInstanceOf(RunnerCacheError);
  expect(await w.store.getText(latestPointerKey('x64'))).toBe(`2.330.0 ${sha(X64_330)}\n`);
  // The list answers, the download is limited: still the old pointer.
  await expect(runRunnerCache(w.deps, { latest: ['x64'], pinned: [] })).rejects.toBeInstanceOf(RunnerCacheError);
  expect(await w.store.getText(latestPointerKey('x64'))).toBe(`2.330.0 ${sha(X64_330)}\n`);
  // Both answer: tarball, then pointer.
  await runRunnerCache(w.deps, { latest: ['x64'], pinned: [] });
  expect(await w.store.getText(latestPointerKey('x64'))).toBe(`2.331.0 ${sha(newer)}\n`);
});
