import type { WebhookConfig } from '../../config/schema.js';
import type { Ec2Port, SqsPort } from '../../ports/index.js';
import { encodeMessage, type RerunMessage } from '../scale-up/messages.js';
import { TAG } from '../tags.js';
import { instanceIdOfRunnerName } from '../runner-name.js';
import type { WorkflowJobPayload } from './payload.js';

/**
 * A `completed` delivery of a job that did not succeed, on a runner whose instance EC2 warned of a
 * spot reclaim (`ghr:spot-interruption`, written by scale-up from EC2's own event): the job was lost
 * to the reclaim, so its pool's queue gets a `rerun` message (core/scale-up/spot.ts) when the pool
 * re-runs such jobs. The instance is looked up in every state: by now it is usually terminated
 * (EC2 lists a terminated instance for about an hour).
 */
export type SpotRerunOutcome = 'queued' | 'not_lost' | 'not_spot' | 'disabled';

const LOST = new Set(['failure', 'cancelled']);

export async function queueSpotRerun(
  payload: WorkflowJobPayload,
  deliveryId: string,
  deps: { readonly ec2: Pick<Ec2Port, 'listInstances'>; readonly sqs: Pick<SqsPort, 'sendMessage'> },
  config: Pick<WebhookConfig, 'environment' | 'pools'>,
): Promise<SpotRerunOutcome> {
  const job = payload.workflow_job;
  const runner = job.runner_name;
  if (payload.action !== 'completed' || !LOST.has(job.conclusion ?? '')) return 'not_lost';
  const instanceId = instanceIdOfRunnerName(runner);
  if (instanceId === undefined) return 'not_spot';
  const [instance] = await deps.ec2.listInstances({
    instanceIds: [instanceId],
    tags: { [TAG.environment]: config.environment },
  });
  const poolName = instance?.tags[TAG.pool];
  const pool = poolName === undefined ? undefined : config.pools[poolName];
  if (instance?.tags[TAG.spotInterruption] === undefined || poolName === undefined || pool === undefined) {
    return 'not_spot';
  }
  if (!pool.rerunOnSpotInterruption) return 'disabled';
  const message: RerunMessage = {
    kind: 'rerun',
    deliveryId,
    jobId: job.id,
    repo: { owner: payload.repository.owner.login, repo: payload.repository.name },
    instanceId,
    pool: poolName,
  };
  await deps.sqs.sendMessage(pool.queueUrl, encodeMessage(message));
  return 'queued';
}
