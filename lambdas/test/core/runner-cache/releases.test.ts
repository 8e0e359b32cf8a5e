import { expect, test } from '@jest/globals';
import { PermanentError } from '../../../src/errors.js';
import {
  compareVersions,
  daysBehind,
  newest,
  notesSha256,
  publishedSha256,
} from '../../../src/core/runner-cache/releases.js';
import type { RunnerRelease } from '../../../src/ports/runner-releases.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const COMMIT = 'c'.repeat(64);
const DAY = 86_400_000;

const release = (version: string, notes: string, digest?: string, publishedMs = 0): RunnerRelease => ({
  version,
  publishedMs,
  notes,
  assets: [
    digest === undefined
      ? { name: `actions-runner-linux-x64-${version}.tar.gz` }
      : { name: `actions-runner-linux-x64-${version}.tar.gz`, sha256: digest },
  ],
});

test('the checksum is read between its own platform markers only, never from other hex in the notes', () => {
  const notes = `Fixes ${COMMIT}\n- arm64 <!-- BEGIN SHA linux-arm64 -->${B}<!-- END SHA linux-arm64 -->\n- x64 <!-- BEGIN SHA linux-x64 -->${A}<!-- END SHA linux-x64 -->`;
  expect(notesSha256(notes, 'x64')).toBe(A);
  expect(notesSha256(notes, 'arm64')).toBe(B);
  expect(notesSha256(`Fixes ${COMMIT}`, 'x64')).toBeUndefined();
  expect(notesSha256('<!-- BEGIN SHA linux-x64 -->not-hex<!-- END SHA linux-x64 -->', 'x64')).toBeUndefined();
});

test('the published checksum: notes and asset digest must agree; either alone is enough; neither is refused', () => {
  const marked = `<!-- BEGIN SHA linux-x64 -->${A}<!-- END SHA linux-x64 -->`;
  expect(publishedSha256(release('2.330.0', marked, A), 'x64')).toBe(A);
  expect(publishedSha256(release('2.330.0', marked), 'x64')).toBe(A);
  expect(publishedSha256(release('2.330.0', 'no markers', B), 'x64')).toBe(B);
  expect(() => publishedSha256(release('2.330.0', marked, B), 'x64')).toThrow(PermanentError);
  expect(() => publishedSha256(release('2.330.0', 'no markers'), 'x64')).toThrow(/no published SHA-256/);
});

test('versions compare numerically, and the newest is found whatever the list order', () => {
  expect(compareVersions('2.329.0', '2.330.0')).toBeLessThan(0);
  expect(compareVersions('2.10.0', '2.9.9')).toBeGreaterThan(0);
  expect(compareVersions('2.330.0', '2.330.0')).toBe(0);
  expect(newest([release('2.329.0', ''), release('2.331.0', ''), release('2.330.0', '')])?.version).toBe('2.331.0');
});

test("days behind count from the first newer release, where GitHub's 30 days start", () => {
  const list = [
    release('2.331.0', '', undefined, 40 * DAY),
    release('2.330.0', '', undefined, 10 * DAY),
    release('2.329.0', '', undefined, 0),
  ];
  expect(daysBehind('2.329.0', list, 45 * DAY)).toBe(35);
  expect(daysBehind('2.330.0', list, 45 * DAY)).toBe(5);
  expect(daysBehind('2.331.0', list, 45 * DAY)).toBe(0);
});
