import { NotFoundError } from '../../errors.js';
import type { Ec2Port } from '../../ports/index.js';
import { instanceIdOfRunnerName } from '../runner-name.js';
import { TAG, decodeJobEvidence, encodeJobEvidence, type JobEvidence } from '../tags.js';

/**
 * Job evidence for scale-down: `in_progress` / `completed` of a job, written as the `ghr:job`
 * tag of the runner's instance (architecture.md §6). Our runners are named after their instance
 * id (scale-up registers them so; core/runner-name.ts), so `runner_name` finds the instance without
 * a lookup table.
 */

/**
 * Whether `next` may replace `current`. Webhooks arrive late and out of order (world-model.md:
 * 0–30 min delay), so an older event must not overwrite a newer one, and above all a late
 * `completed` of an earlier job must not hide the `in_progress` of the job running now.
 * Times are GitHub's own (`started_at`, `completed_at`), so every writer compares on one clock.
 *
 * - no (readable) current evidence: write;
 * - same job: `completed` is final; `in_progress` never replaces it;
 * - otherwise the newer time wins; on a tie `in_progress` wins (the cautious reading for scale-down).
 */
export function shouldWriteEvidence(current: JobEvidence | undefined, next: JobEvidence): boolean {
  if (current === undefined) return true;
  if (current.jobId === next.jobId) {
    if (current.status === 'completed') return false;
    return next.status === 'completed' || next.atMs > current.atMs;
  }
  if (next.atMs !== current.atMs) return next.atMs > current.atMs;
  return next.status === 'in_progress' && current.status !== 'in_progress';
}

export type EvidenceOutcome = 'written' | 'unchanged' | 'stale' | 'not_our_runner' | 'no_instance';

/**
 * Reads the instance's current evidence and writes the new one when it is newer. Only
 * instances of this fleet (`ghr:environment`) and still alive are touched. Read-then-write is
 * not atomic (EC2 tags have no conditional write): two deliveries for one instance within the
 * same few milliseconds can race; scale-down never relies on this tag alone (agent state, REST).
 */
export async function recordJobEvidence(
  ec2: Pick<Ec2Port, 'listInstances' | 'createTags'>,
  environment: string,
  runnerName: string | null | undefined,
  evidence: JobEvidence,
  /** `owner/repo` of the job, written beside the evidence (core/scale-up/spot.ts re-runs by it). */
  repo?: string,
): Promise<EvidenceOutcome> {
  const instanceId = instanceIdOfRunnerName(runnerName);
  if (instanceId === undefined) return 'not_our_runner';
  const [instance] = await ec2.listInstances({
    instanceIds: [instanceId],
    tags: { [TAG.environment]: environment },
    states: ['pending', 'running', 'stopping', 'stopped'],
  });
  if (instance === undefined) return 'no_instance';
  const current = decodeJobEvidence(instance.tags[TAG.jobEvidence]);
  const value = encodeJobEvidence(evidence);
  if (instance.tags[TAG.jobEvidence] === value) return 'unchanged';
  if (!shouldWriteEvidence(current, evidence)) return 'stale';
  try {
    await ec2.createTags([instance.instanceId], {
      [TAG.jobEvidence]: value,
      ...(repo === undefined ? {} : { [TAG.jobRepo]: repo }),
    });
  } catch (error) {
    // Gone between the read and the write: nothing left to record evidence on.
    if (error instanceof NotFoundError) return 'no_instance';
    throw error;
  }
  return 'written';
}
