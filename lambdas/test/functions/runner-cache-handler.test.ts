/** The runner-cache handler wires the configuration to the run, reports, and rethrows a failed run. */
import { expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { createRunnerCacheHandler } from '../../src/functions/runner-cache/handler.js';
import { ConfigError } from '../../src/errors.js';
import { RunnerCacheError } from '../../src/core/runner-cache/run.js';
import { MemoryArtifactStore } from '../../src/sim/memory/artifact-store.js';
import { MemoryRunnerReleases } from '../../src/sim/memory/runner-releases.js';
import { captureOutput, lambdaContext } from '../support/capture-stdout.js';

const tarball = new TextEncoder().encode('runner 2.329.0');
const sha256 = createHash('sha256').update(tarball).digest('hex');
const config = {
  environment: 'ghr-test',
  bucket: 'ghr-test-artifacts',
  pinned: [{ version: '2.329.0', arch: 'x64', sha256 }],
};

function deps() {
  const releases = new MemoryRunnerReleases();
  releases.publish(
    { version: '2.329.0', publishedMs: 0, notes: '', assets: [] },
    { 'actions-runner-linux-x64-2.329.0.tar.gz': tarball },
  );
  return { store: new MemoryArtifactStore(), releases, clock: { now: () => 0, sleep: () => Promise.resolve() } };
}

test('a run stores what the configuration names and returns its report', async () => {
  const handler = createRunnerCacheHandler({ rawConfig: JSON.stringify(config), deps: deps(), timeoutEarly: false });
  const { result } = await captureOutput(() => handler({}, lambdaContext('req-cache')));
  expect(result).toMatchObject({ stored: ['runners/2.329.0/actions-runner-linux-x64-2.329.0.tar.gz'], failed: [] });
});

test('a failed run is logged and rethrown (the Errors alarm sees it)', async () => {
  const d = deps();
  const handler = createRunnerCacheHandler({
    rawConfig: JSON.stringify({ ...config, pinned: [{ version: '2.329.0', arch: 'x64', sha256: 'f'.repeat(64) }] }),
    deps: d,
    timeoutEarly: false,
  });
  const { error, lines } = await captureOutput(() => handler({}, lambdaContext('req-cache')));
  expect(error).toBeInstanceOf(RunnerCacheError);
  expect(lines.some((l) => l.includes('"runner cache run failed"'))).toBe(true);
  await expect(d.store.head('runners/2.329.0/actions-runner-linux-x64-2.329.0.tar.gz')).resolves.toBeUndefined();
});

test('a bad configuration names every bad key at cold start', async () => {
  const handler = createRunnerCacheHandler({
    rawConfig: JSON.stringify({
      environment: 'ghr-test',
      bucket: 'Not_A_Bucket',
      latest: ['x86'],
      releasesApiUrl: 'http://example.com',
    }),
    deps: deps(),
    timeoutEarly: false,
  });
  const { error } = await captureOutput(() => handler({}, lambdaContext('req-cache')));
  expect(error).toBeInstanceOf(ConfigError);
  for (const key of ['bucket', 'latest.0', 'releasesApiUrl']) expect((error as ConfigError).message).toContain(key);
});
