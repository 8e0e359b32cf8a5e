/**
 * The golden vectors of the tag codecs (agent/test-vectors/tags.json), read by the test of
 * lambdas/src/core/tags.ts and by the test of the agent's bash functions, so the two codecs are
 * held to the same expectations.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const TAG_VECTORS_PATH = fileURLToPath(new URL('../../../agent/test-vectors/tags.json', import.meta.url));

const ms = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const comment = z.string().min(1);

const lifecycle = z.union([
  z.strictObject({ phase: z.literal('retiring'), markMs: ms }),
  z.strictObject({ phase: z.literal('quarantined'), markMs: ms, quarantinedMs: ms }),
]);

const vectors = z.strictObject({
  description: z.string(),
  jobIds: z.array(z.strictObject({ comment, name: z.string(), id: z.string() })).min(1),
  agentStates: z
    .array(
      z.strictObject({
        comment,
        state: z.enum(['idle', 'busy', 'exited']),
        job: z.string().optional(),
        atMs: ms,
        ackMarkMs: ms.optional(),
        value: z.string(),
      }),
    )
    .min(1),
  lifecycles: z.array(z.strictObject({ comment, value: z.string(), decoded: lifecycle.nullable() })).min(1),
  runnerConfigReady: z.array(z.strictObject({ comment, value: z.string(), atMs: ms.nullable() })).min(1),
});

export type TagVectors = z.infer<typeof vectors>;

export function readTagVectors(): TagVectors {
  return vectors.parse(JSON.parse(readFileSync(TAG_VECTORS_PATH, 'utf8')));
}
