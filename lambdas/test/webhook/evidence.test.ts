import { describe, expect, it } from '@jest/globals';
import { shouldWriteEvidence } from '../../src/core/webhook/evidence.js';
import type { JobEvidence } from '../../src/core/tags.js';

const ev = (status: JobEvidence['status'], jobId: string, atMs: number): JobEvidence => ({ status, jobId, atMs });

describe('shouldWriteEvidence', () => {
  it.each([
    ['nothing recorded yet', undefined, ev('in_progress', '1', 10), true],
    ['the same job completing', ev('in_progress', '1', 10), ev('completed', '1', 20), true],
    ['a completed job with an earlier clock reading', ev('in_progress', '1', 10), ev('completed', '1', 5), true],
    ['a late in_progress after completed (same job)', ev('completed', '1', 20), ev('in_progress', '1', 10), false],
    ['a replay of completed (same job)', ev('completed', '1', 20), ev('completed', '1', 20), false],
    ['a newer job starting', ev('completed', '1', 20), ev('in_progress', '2', 30), true],
    [
      'a late completed of an older job over a running one',
      ev('in_progress', '2', 30),
      ev('completed', '1', 20),
      false,
    ],
    ['a late in_progress of an older job', ev('in_progress', '2', 30), ev('in_progress', '1', 20), false],
    ['a tie between jobs, in_progress wins', ev('completed', '1', 30), ev('in_progress', '2', 30), true],
    ['a tie between jobs, completed loses', ev('in_progress', '2', 30), ev('completed', '1', 30), false],
  ])('%s', (_name, current, next, expected) => {
    expect(shouldWriteEvidence(current, next)).toBe(expected);
  });
});
