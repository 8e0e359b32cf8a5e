import { z } from 'zod';

/**
 * The messages on a pool's queue. Written by the webhook (`job`) and by the runner agent of a
 * reusable pool (`recycle`), read by scale-up. Parsed with zod on receipt: the queue is a trust
 * boundary like any other.
 *
 * `deliveryId` is GitHub's `X-GitHub-Delivery` (a redelivery keeps it), so a consumer can drop
 * a second message for the same delivery. SQS standard queues deliver at least once and the
 * webhook may be redelivered, so consumers must tolerate duplicates anyway.
 */

const instanceId = z.string().regex(/^i-[0-9a-f]{8,17}$/, 'expected an EC2 instance id');
const poolName = z.string().regex(/^[a-z0-9-]{1,32}$/);

export const jobMessageSchema = z.strictObject({
  kind: z.literal('job'),
  deliveryId: z.string().min(1).max(100),
  jobId: z.number().int().positive(),
  runId: z.number().int().positive(),
  repo: z.strictObject({ owner: z.string().min(1).max(100), repo: z.string().min(1).max(100) }),
  labels: z.array(z.string().min(1).max(100)).max(100),
  installationId: z.number().int().positive().optional(),
  pool: poolName,
  receivedAtMs: z.number().int().nonnegative(),
});

export const recycleMessageSchema = z.strictObject({
  kind: z.literal('recycle'),
  instanceId,
  pool: poolName,
  deliveryId: z.string().min(1).max(100).optional(),
});

export const poolMessageSchema = z.discriminatedUnion('kind', [jobMessageSchema, recycleMessageSchema]);

export type JobMessage = z.output<typeof jobMessageSchema>;
export type RecycleMessage = z.output<typeof recycleMessageSchema>;
export type PoolMessage = z.output<typeof poolMessageSchema>;

export function encodeMessage(message: PoolMessage): string {
  return JSON.stringify(message);
}

/** The message, or a short reason it is not one (never the body: it is untrusted input). */
export function decodeMessage(body: string): { ok: true; message: PoolMessage } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const result = poolMessageSchema.safeParse(json);
  if (result.success) return { ok: true, message: result.data };
  return {
    ok: false,
    reason: result.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.code}`).join('; '),
  };
}
