import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { handleScaleUpBatch } from '../../src/core/scale-up/scale-up.js';
import { jobMessage, queueArnOf, recorder, scaleUpConfig, world } from './fixtures.js';

/** Whatever reaches the queue, a malformed message is dropped (not retried forever) and launches nothing. */
const malformed = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.json().map((j) => `CANARY${j}`),
  fc.jsonValue().map((v) => JSON.stringify({ kind: 'job', payload: v, canary: 'CANARY' })),
  fc
    .record({ jobId: fc.oneof(fc.string(), fc.double(), fc.constant(-1)), pool: fc.string({ maxLength: 40 }) })
    .map((r) => JSON.stringify({ ...jobMessage(), ...r, note: 'CANARY' })),
  fc
    .string({ maxLength: 40 })
    .map((id) => JSON.stringify({ kind: 'recycle', instanceId: `x${id}`, pool: 'warm', n: 'CANARY' })),
);

describe('scale-up fuzz', () => {
  it('drops malformed messages without effect and without logging them', async () => {
    const w = world();
    const r = recorder();
    await fc.assert(
      fc.asyncProperty(fc.array(malformed, { minLength: 1, maxLength: 10 }), async (bodies) => {
        const result = await handleScaleUpBatch(
          bodies.map((body, i) => ({ messageId: `m-${i}`, body, eventSourceARN: queueArnOf('linux') })),
          w.deps,
          { config: scaleUpConfig(), log: r.log, metrics: r.metrics },
        );
        return result.batchItemFailures.length === 0;
      }),
      { numRuns: 1000, seed: 5 },
    );
    expect(w.seams.fleetRequests).toEqual([]);
    expect(w.seams.puts).toEqual([]);
    expect(JSON.stringify(r.lines)).not.toContain('CANARY');
  });
});
