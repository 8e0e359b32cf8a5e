import { z } from 'zod';

/**
 * The messages on a pool's queue. Written by the webhook (`job`) and by the runner agent of a
 * reusable pool (`recycle`), read by scale-up. Parsed with zod on receipt: the queue is a trust
 * boundary like any other.
 *
 * `deliveryId` is GitHub's `X-GitHub-Delivery` (a redelivery keeps it), so a consumer can drop
 * a second message for the same delivery. SQS standard queues deliver at least once and the
 * webhook may be redelivered, so consumers must tolerate duplicates anyway.
 *
 * Scale-up re-sends a job message to its own queue in two cases (requeue.ts), marking the copy:
 * - `attempt`: the copy was held because the pool was at `maxRunners` (n-th hold in a row);
 * - `recheck`: the copy re-checks a job scale-up already launched for (n-th re-check), in case
 *   GitHub gave that runner another job.
 * Both are optional (absent = 0): the webhook's messages and messages written before these
 * fields existed parse unchanged.
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
  attempt: z.number().int().nonnegative().optional(),
  recheck: z.number().int().nonnegative().optional(),
  /** Times the job was held for a runner scale-down could give back to the pool (requeue.ts). */
  returnWaits: z.number().int().nonnegative().optional(),
  /** GitHub's `run_attempt` when above 1: a re-run (job.ts launches it on-demand in some pools). */
  runAttempt: z.number().int().min(2).optional(),
});

export const recycleMessageSchema = z.strictObject({
  kind: z.literal('recycle'),
  instanceId,
  pool: poolName,
  deliveryId: z.string().min(1).max(100).optional(),
});

/**
 * A job lost to a spot reclaim (written by the webhook, on a job queue only): scale-up asks GitHub
 * to re-run it (spot.ts). `deliveryId` is the `completed` delivery's.
 */
export const rerunMessageSchema = z.strictObject({
  kind: z.literal('rerun'),
  deliveryId: z.string().min(1).max(100),
  jobId: z.number().int().positive(),
  repo: z.strictObject({ owner: z.string().min(1).max(100), repo: z.string().min(1).max(100) }),
  instanceId,
  pool: poolName,
  /** Times the job was found not completed yet and the request sent again, delayed (spot.ts). */
  checks: z.number().int().nonnegative().optional(),
});

export const poolMessageSchema = z.discriminatedUnion('kind', [
  jobMessageSchema,
  recycleMessageSchema,
  rerunMessageSchema,
]);

export type JobMessage = z.output<typeof jobMessageSchema>;
export type RecycleMessage = z.output<typeof recycleMessageSchema>;
export type RerunMessage = z.output<typeof rerunMessageSchema>;
export type PoolMessage = z.output<typeof poolMessageSchema>;

/**
 * The identity the consumer deduplicates on: GitHub's delivery id, plus the copy's counters for a
 * re-sent copy, so a copy is never mistaken for the message it was made from (and two deliveries
 * of the same copy still are one).
 */
export function dedupKey(message: PoolMessage): string | undefined {
  if (message.deliveryId === undefined) return undefined;
  if (message.kind === 'recycle') return `recycle:${message.deliveryId}`;
  if (message.kind === 'rerun') return `rerun:${message.deliveryId}#${message.checks ?? 0}`;
  const attempt = message.attempt ?? 0;
  const recheck = message.recheck ?? 0;
  const waits = message.returnWaits ?? 0;
  const copy =
    attempt === 0 && recheck === 0 && waits === 0 ? '' : `#r${recheck}h${attempt}${waits === 0 ? '' : `w${waits}`}`;
  return `job:${message.deliveryId}${copy}`;
}

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
