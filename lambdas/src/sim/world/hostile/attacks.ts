import { encodeMessage } from '../../../core/scale-up/messages.js';
import { configParameterName } from '../../../core/scale-up/runner-config.js';
import { TAG } from '../../../core/tags.js';
import type { WorldContext } from '../context.js';
import type { Ec2World } from '../ec2.js';
import type { PoolSpec } from '../pools.js';
import type { SqsWorld } from '../sqs.js';
import type { SsmWorld } from '../ssm.js';
import type { Instance } from '../types.js';
import { attempt, type HostileCounts } from './counts.js';
import { authorizeCreateTags, authorizeSendMessage, authorizeSsm, type RunnerPrincipal } from './iam.js';

/** A forged recycle request IAM let through: followed until scale-up consumes it. */
export interface ForgedRecycle {
  readonly queueUrl: string;
  readonly messageId: string;
  readonly target: string;
  outcome?: 'honestWaiting' | 'hostile' | 'honestNotWaiting';
}

export interface AttackWorld {
  readonly ctx: WorldContext;
  readonly ec2: Ec2World;
  readonly ssm: SsmWorld;
  readonly sqs: SqsWorld;
  readonly pools: ReadonlyMap<string, PoolSpec>;
  readonly runnerConfigPath: string;
  readonly counts: HostileCounts;
  readonly forgedRecycles: ForgedRecycle[];
  readonly arnOf: (instanceId: string) => string;
  readonly awsCall: (action: string) => void;
}

/**
 * One round of everything a job on the runner can try with the instance profile's credentials
 * besides lying in its own tag (docs/threat-model.md rows 1–8). Each call is the world's: IAM
 * decides first, and only what it allows touches SQS, SSM or EC2 — the control plane sees it only
 * the way it would see it in AWS (a message on a queue, a tag, a missing parameter).
 */
export function attackRound(w: AttackWorld, self: Instance, principal: RunnerPrincipal): void {
  const rng = w.ctx.rng('hostile.attack');
  const others = w.ec2.live().filter((i) => i.id !== self.id && i.pool !== '');
  const mates = others.filter((i) => i.pool === self.pool);
  const strangers = others.filter((i) => i.pool !== self.pool);
  const own = w.pools.get(self.pool);

  // Job messages: a launch in another pool, or fake demand for its own (rows 6–7).
  for (const pool of w.pools.values()) {
    const counter = pool.name === self.pool ? w.counts.sendToOwnJobQueue : w.counts.sendToOtherPool;
    const body = encodeMessage({
      kind: 'job',
      deliveryId: `forged-${w.ctx.now}-${self.id}`,
      jobId: 1 + rng.int(0, 1_000_000),
      runId: 1 + rng.int(0, 1_000_000),
      repo: { owner: 'evil', repo: 'evil' },
      labels: pool.config.labels,
      pool: pool.name,
      receivedAtMs: w.ctx.now,
    });
    if (send(w, principal, pool.config.queueUrl, pool.config.queueArn, body, counter)) counter.delivered++;
  }

  // Recycle requests for an instance not its own (row 8).
  const recycle = (queuePool: PoolSpec, target: Instance, bodyPool: string): void => {
    const url = queuePool.config.recycleQueueUrl;
    const arn = queuePool.config.recycleQueueArn;
    if (url === undefined || arn === undefined) return;
    const body = encodeMessage({ kind: 'recycle', instanceId: target.id, pool: bodyPool });
    const sent = send(w, principal, url, arn, body, w.counts.forgedRecycle);
    if (sent !== undefined) w.forgedRecycles.push({ queueUrl: url, messageId: sent, target: target.id });
  };
  if (strangers.length > 0) {
    const stranger = rng.pick(strangers);
    const theirs = w.pools.get(stranger.pool);
    if (theirs) recycle(theirs, stranger, stranger.pool);
    if (own) recycle(own, stranger, stranger.pool);
    if (own) recycle(own, stranger, self.pool);
  }
  if (mates.length > 0 && own) recycle(own, rng.pick(mates), self.pool);

  // Other instances' registrations, in other pools and its own (rows 1–3).
  for (const target of [strangers, mates].flatMap((list) => (list.length > 0 ? [rng.pick(list)] : []))) {
    const name = configParameterName(w.runnerConfigPath, target.pool, target.id);
    const tags = w.ssm.parameters.get(name)?.tags;
    w.awsCall('ssm:GetParameter');
    if (attempt(w.counts.readOtherConfig, authorizeSsm(principal, 'ssm:GetParameter', name, tags).allowed)) {
      if (w.ssm.parameters.has(name)) w.counts.readOtherConfig.read++;
    }
    w.awsCall('ssm:DeleteParameter');
    if (attempt(w.counts.deleteOtherConfig, authorizeSsm(principal, 'ssm:DeleteParameter', name, tags).allowed)) {
      if (w.ssm.parameters.has(name)) {
        w.ssm.delete(name);
        w.counts.deleteOtherConfig.deleted++;
      }
    }
  }
  w.awsCall('ssm:GetParametersByPath');
  const path = w.runnerConfigPath;
  if (attempt(w.counts.listConfigs, authorizeSsm(principal, 'ssm:GetParametersByPath', path, undefined).allowed)) {
    w.counts.listConfigs.listed++;
  }
  for (const secret of principal.githubParameters) {
    const tags = w.ssm.parameters.get(secret)?.tags;
    w.awsCall('ssm:GetParameter');
    if (attempt(w.counts.readAppSecret, authorizeSsm(principal, 'ssm:GetParameter', secret, tags).allowed)) {
      w.counts.readAppSecret.read++;
    }
  }

  // Tags it may not write: another instance's agent state (to get it retired), its own mark (row 5).
  const victim = others.length > 0 ? rng.pick(others) : undefined;
  if (victim) forgeTag(w, principal, victim, { [TAG.agentState]: `idle@${w.ctx.now}` });
  forgeTag(w, principal, self, { [TAG.lifecycle]: undefined });
}

function send(
  w: AttackWorld,
  principal: RunnerPrincipal,
  queueUrl: string,
  queueArn: string,
  body: string,
  counter: { attempted: number; deniedByIam: number },
): string | undefined {
  w.awsCall('sqs:SendMessage');
  if (!attempt(counter, authorizeSendMessage(principal, queueArn).allowed)) return undefined;
  return w.sqs.send(queueUrl, body).messageId;
}

/** CreateTags (or DeleteTags, value undefined: the role has no statement for it) through IAM. */
export function forgeTag(
  w: AttackWorld,
  principal: RunnerPrincipal,
  target: Instance,
  tags: Readonly<Record<string, string | undefined>>,
): boolean {
  const keys = Object.keys(tags);
  const deletes = keys.some((key) => tags[key] === undefined);
  w.awsCall(deletes ? 'DeleteTags' : 'CreateTags');
  const allowed =
    !deletes &&
    authorizeCreateTags(principal, { instanceArn: w.arnOf(target.id), tags: w.ec2.readTags(target) }, keys).allowed;
  if (!attempt(w.counts.forgedTags, allowed)) return false;
  w.ec2.writeTags(target, tags, 'attacker');
  w.counts.forgedTags.written++;
  return true;
}
