import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { decodeRunnerConfigReady } from '../../src/core/scale-up/runner-config.js';
import {
  decodeAgentState,
  decodeJobEvidence,
  decodeLifecycle,
  encodeAgentState,
  encodeJobEvidence,
  encodeLifecycle,
  INSTANCE_METADATA_TAG_KEY,
  sanitizeJobId,
  TAG,
  type AgentState,
} from '../../src/core/tags.js';
import { readTagVectors } from '../support/tag-vectors.js';

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

  it('reduces any job name to a job id the decoder accepts', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 100 }), ms, (name, at) => {
        const id = sanitizeJobId(name);
        expect(id).toMatch(/^[A-Za-z0-9._-]{1,64}$/);
        expect(decodeAgentState(encodeAgentState({ state: 'busy', jobId: name, atMs: at }))?.jobId).toBe(id);
      }),
    );
  });
});

/** The vectors the bash agent is held to as well (lambdas/test/agent/codec.test.ts). */
describe('tag codecs: golden vectors shared with the agent (agent/test-vectors/tags.json)', () => {
  const vectors = readTagVectors();

  it.each(vectors.jobIds.map((v) => [v.comment, v] as const))('job id: %s', (_, v) => {
    expect(sanitizeJobId(v.name)).toBe(v.id);
  });

  it.each(vectors.agentStates.map((v) => [v.comment, v] as const))('agent state: %s', (_, v) => {
    // Act
    const value = encodeAgentState({
      state: v.state,
      ...(v.job === undefined ? {} : { jobId: v.job }),
      atMs: v.atMs,
      ...(v.ackMarkMs === undefined ? {} : { ackMarkMs: v.ackMarkMs }),
    });

    // Assess: the expected value, and one the control plane reads back
    expect(value).toBe(v.value);
    expect(decodeAgentState(value)).toEqual({
      state: v.state,
      ...(v.state === 'busy' ? { jobId: sanitizeJobId(v.job ?? '') } : {}),
      atMs: v.atMs,
      ...(v.ackMarkMs === undefined ? {} : { ackMarkMs: v.ackMarkMs }),
    });
  });

  it.each(vectors.lifecycles.map((v) => [v.comment, v] as const))('lifecycle: %s', (_, v) => {
    expect(decodeLifecycle(v.value) ?? null).toEqual(v.decoded);
  });

  it.each(vectors.runnerConfigReady.map((v) => [v.comment, v] as const))('runner config ready: %s', (_, v) => {
    expect(decodeRunnerConfigReady(v.value) ?? null).toBe(v.atMs);
  });
});
