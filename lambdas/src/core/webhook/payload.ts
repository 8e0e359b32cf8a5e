import { z } from 'zod';

/**
 * The fields of a `workflow_job` delivery the control plane reads (GitHub docs, "Webhook events
 * and payloads", workflow_job). Unknown fields are allowed (GitHub adds fields); the ones we
 * read are checked, so a malformed delivery is refused with 400 instead of half-processed.
 */

const isoTime = z.string().nullable().optional();

export const workflowJobPayloadSchema = z.looseObject({
  action: z.string().min(1).max(64),
  workflow_job: z.looseObject({
    id: z.number().int().positive(),
    run_id: z.number().int().positive(),
    run_attempt: z.number().int().positive().optional(),
    status: z.string().max(64).optional(),
    conclusion: z.string().max(64).nullable().optional(),
    labels: z.array(z.string().max(256)).max(100),
    runner_id: z.number().int().nullable().optional(),
    runner_name: z.string().max(256).nullable().optional(),
    created_at: isoTime,
    started_at: isoTime,
    completed_at: isoTime,
  }),
  repository: z.looseObject({
    name: z.string().min(1).max(100),
    full_name: z.string().min(3).max(200),
    owner: z.looseObject({ login: z.string().min(1).max(100) }),
  }),
  installation: z.looseObject({ id: z.number().int().positive() }).optional(),
});

export type WorkflowJobPayload = z.output<typeof workflowJobPayloadSchema>;

/** Epoch ms of an ISO time, or undefined when absent or unparseable. */
export function parseTime(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}
