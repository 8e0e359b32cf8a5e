import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  decodeAgentState,
  decodeJobEvidence,
  decodeLifecycle,
  encodeAgentState,
  encodeJobEvidence,
  encodeLifecycle,
  INSTANCE_METADATA_TAG_KEY,
  TAG,
  type AgentState,
} from '../../src/core/tags.js';

const ms = fc.integer({ min: 0, max: 4_102_444_800_000 });
const jobId = fc.stringMatching(/^[A-Za-z0-9._-]{1,64}$/);

describe('tag codecs', () => {
  it('round-trips every agent state, with and without an acknowledgement', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('idle', 'busy', 'exited'),
        jobId,
        ms,
        fc.option(ms, { nil: undefined }),
        (name, job, at, ack) => {
          const state: AgentState = {
            state: name as AgentState['state'],
            ...(name === 'busy' ? { jobId: job } : {}),
            atMs: at,
            ...(ack === undefined ? {} : { ackMarkMs: ack }),
          };
          expect(decodeAgentState(encodeAgentState(state))).toEqual(state);
        },
      ),
    );
  });

  it('round-trips lifecycle and job evidence', () => {
    fc.assert(
      fc.property(ms, ms, jobId, (mark, quarantined, job) => {
        expect(decodeLifecycle(encodeLifecycle({ phase: 'retiring', markMs: mark }))).toEqual({
          phase: 'retiring',
          markMs: mark,
        });
        expect(
          decodeLifecycle(encodeLifecycle({ phase: 'quarantined', markMs: mark, quarantinedMs: quarantined })),
        ).toEqual({
          phase: 'quarantined',
          markMs: mark,
          quarantinedMs: quarantined,
        });
        expect(decodeJobEvidence(encodeJobEvidence({ status: 'in_progress', jobId: job, atMs: mark }))).toEqual({
          status: 'in_progress',
          jobId: job,
          atMs: mark,
        });
      }),
    );
  });

  it('reads anything malformed as absent, never as a state', () => {
    for (const value of ['', 'idle', 'busy@12', 'idle@x', 'retiring', 'quarantined@1', 'done:1@2', 'idle@1/ack:']) {
      expect(decodeAgentState(value)).toBeUndefined();
      expect(decodeLifecycle(value)).toBeUndefined();
      expect(decodeJobEvidence(value)).toBeUndefined();
    }
  });

  it('uses only tag keys that instance metadata can carry', () => {
    for (const key of Object.values(TAG)) expect(key).toMatch(INSTANCE_METADATA_TAG_KEY);
  });
});
