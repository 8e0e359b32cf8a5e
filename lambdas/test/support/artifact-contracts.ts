/**
 * Behaviours every ArtifactStorePort and RunnerReleasesPort implementation must show: the
 * in-memory doubles, and the production adapters through the S3 and releases facades.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { NotFoundError, PermanentError, RateLimitedError } from '../../src/errors.js';
import type { ArtifactStorePort } from '../../src/ports/artifact-store.js';
import type { RunnerReleasesPort } from '../../src/ports/runner-releases.js';
import type { MemoryRunnerReleases } from '../../src/sim/memory/runner-releases.js';

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const bytesOf = (text: string) => new TextEncoder().encode(text);

export interface StoreSubject {
  readonly store: ArtifactStorePort;
  close(): Promise<void>;
}

export function describeArtifactStoreContract(name: string, setup: () => Promise<StoreSubject>): void {
  describe(`ArtifactStorePort contract: ${name}`, () => {
    let subject: StoreSubject;
    beforeEach(async () => {
      subject = await setup();
    });
    afterEach(async () => {
      await subject.close();
    });

    test('an absent key: head is undefined, getText is NotFoundError', async () => {
      await expect(subject.store.head('runners/none')).resolves.toBeUndefined();
      await expect(subject.store.getText('runners/none')).rejects.toBeInstanceOf(NotFoundError);
    });

    test('put then head gives its SHA-256 and size, getText its text; a second put replaces it', async () => {
      // Prepare
      const first = bytesOf('2.330.0 aaa\n');
      const second = bytesOf(`binary \u0000\u00ff ${'x'.repeat(70_000)}`);
      // Act
      await subject.store.put('runners/latest/linux-x64', first, sha(first), 'text/plain');
      const text = await subject.store.getText('runners/latest/linux-x64');
      await subject.store.put('runners/latest/linux-x64', second, sha(second), 'application/gzip');
      // Assess
      expect(text).toBe('2.330.0 aaa\n');
      await expect(subject.store.head('runners/latest/linux-x64')).resolves.toEqual({
        key: 'runners/latest/linux-x64',
        sha256: sha(second),
        size: second.byteLength,
      });
    });

    test('a body that does not match its SHA-256 is refused (PermanentError) and nothing is stored', async () => {
      const body = bytesOf('tampered in transit');
      await expect(
        subject.store.put('runners/x.tar.gz', body, sha(bytesOf('the original')), 'application/gzip'),
      ).rejects.toBeInstanceOf(PermanentError);
      await expect(subject.store.head('runners/x.tar.gz')).resolves.toBeUndefined();
    });
  });
}

export interface ReleasesSubject {
  readonly releases: RunnerReleasesPort;
  /** The backend the subject serves from: tests publish and queue failures on it. */
  readonly backend: MemoryRunnerReleases;
  close(): Promise<void>;
}

export function describeRunnerReleasesContract(name: string, setup: () => Promise<ReleasesSubject>): void {
  describe(`RunnerReleasesPort contract: ${name}`, () => {
    let subject: ReleasesSubject;
    beforeEach(async () => {
      subject = await setup();
    });
    afterEach(async () => {
      await subject.close();
    });

    test('recent lists releases newest first with notes and asset digests; download gives the bytes', async () => {
      // Prepare
      const tarball = bytesOf('tarball bytes \u0000\u0001');
      subject.backend.publish({ version: '2.329.0', publishedMs: Date.UTC(2025, 9, 14), notes: 'old', assets: [] });
      subject.backend.publish(
        {
          version: '2.330.0',
          publishedMs: Date.UTC(2025, 10, 20),
          notes: 'notes <!-- BEGIN SHA linux-x64 -->abc<!-- END SHA linux-x64 -->',
          assets: [{ name: 'actions-runner-linux-x64-2.330.0.tar.gz', sha256: sha(tarball) }, { name: 'other.zip' }],
        },
        { 'actions-runner-linux-x64-2.330.0.tar.gz': tarball },
      );
      // Act
      const list = await subject.releases.recent();
      const bytes = await subject.releases.download('2.330.0', 'actions-runner-linux-x64-2.330.0.tar.gz');
      // Assess
      expect(list.map((r) => r.version)).toEqual(['2.330.0', '2.329.0']);
      expect(list[0]).toEqual({
        version: '2.330.0',
        publishedMs: Date.UTC(2025, 10, 20),
        notes: 'notes <!-- BEGIN SHA linux-x64 -->abc<!-- END SHA linux-x64 -->',
        assets: [{ name: 'actions-runner-linux-x64-2.330.0.tar.gz', sha256: sha(tarball) }, { name: 'other.zip' }],
      });
      expect(Buffer.from(bytes).equals(Buffer.from(tarball))).toBe(true);
    });

    test('an asset GitHub does not have is NotFoundError; a rate limit is RateLimitedError', async () => {
      await expect(subject.releases.download('9.9.9', 'actions-runner-linux-x64-9.9.9.tar.gz')).rejects.toBeInstanceOf(
        NotFoundError,
      );
      subject.backend.failures.push(new RateLimitedError('limit'));
      await expect(subject.releases.recent()).rejects.toBeInstanceOf(RateLimitedError);
    });
  });
}
