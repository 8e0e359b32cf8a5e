import { INSTANCE_ARN_TAG } from '../../../core/scale-up/runner-config.js';
import { TAG } from '../../../core/tags.js';

/**
 * The runner instance role of modules/runner-pool/iam.tf, evaluated for calls an instance makes
 * with its own credentials (`ec2:SourceInstanceARN` is the instance). Everything a job on the
 * runner does goes through here, so a hostile job gets exactly what the shipped policy grants:
 * an explicit Deny wins, then an Allow is needed, else AccessDenied (IAM's evaluation logic).
 * Statement ids are the policy's own; a change to iam.tf must be mirrored here
 * (lambdas/test/sim/hostile-iam.test.ts reads iam.tf to keep the two aligned).
 */

/** Who calls: the instance behind the credentials, and what Terraform rendered for its pool. */
export interface RunnerPrincipal {
  readonly instanceArn: string;
  readonly pool: string;
  readonly environment: string;
  /** `<runner config path>` (the pool and instance id are appended). */
  readonly runnerConfigPath: string;
  /** `fleet_parameter_path`: every parameter of the deployment lies under it. */
  readonly fleetParameterPath: string;
  /** The GitHub App's parameters (`NeverReadGitHubApp`). */
  readonly githubParameters: readonly string[];
  /** Reusable pools only: the pool's recycle queue; ephemeral pools have no SQS statement at all. */
  readonly recycleQueueArn?: string;
}

export type Decision =
  { readonly allowed: true; readonly statement: string } | { readonly allowed: false; readonly statement?: string };

const ALLOW = (statement: string): Decision => ({ allowed: true, statement });
const DENY = (statement?: string): Decision =>
  statement === undefined ? { allowed: false } : { allowed: false, statement };

const AGENT_TAG_KEYS: readonly string[] = [TAG.agentState];

/** `TagOnlyItself`: aws:ARN = the caller, the target carries this environment, only agent tag keys. */
export function authorizeCreateTags(
  principal: RunnerPrincipal,
  target: { readonly instanceArn: string; readonly tags: Readonly<Record<string, string>> },
  keys: readonly string[],
): Decision {
  const itself = target.instanceArn === principal.instanceArn;
  const environment = target.tags[TAG.environment] === principal.environment;
  // ForAllValues:StringEquals: every key in the request must be one of the agent's.
  const keysAllowed = keys.every((key) => AGENT_TAG_KEYS.includes(key));
  return itself && environment && keysAllowed ? ALLOW('TagOnlyItself') : DENY();
}

/** A glob of the policy's `*`, as IAM matches resource ARNs (here on parameter names). */
function matches(pattern: string, name: string): boolean {
  const [prefix, ...rest] = pattern.split('*');
  if (rest.length === 0) return name === prefix;
  return name.startsWith(prefix ?? '') && (rest.at(-1) === '' || name.endsWith(rest.at(-1) ?? ''));
}

function ancestors(path: string): string[] {
  const parts = path.split('/').filter((p) => p.length > 0);
  return ['/', ...parts.map((_, i) => `/${parts.slice(0, i + 1).join('/')}`)];
}

export type SsmAction = 'ssm:GetParameter' | 'ssm:DeleteParameter' | 'ssm:GetParametersByPath';

/**
 * `ReadAndDeleteOwnRunnerConfig` (its pool's path AND tagged with its own ARN), and the Deny
 * statements that hold whatever else is attached to the role.
 */
export function authorizeSsm(
  principal: RunnerPrincipal,
  action: SsmAction,
  name: string,
  parameterTags: Readonly<Record<string, string>> | undefined,
): Decision {
  const ownArn = parameterTags?.[INSTANCE_ARN_TAG] === principal.instanceArn;
  const fleet = `${principal.fleetParameterPath}/*`;
  if (action === 'ssm:GetParametersByPath') {
    const listed = [...ancestors(principal.fleetParameterPath), fleet];
    return listed.some((p) => matches(p, name)) ? DENY('NeverListFleetParameters') : DENY();
  }
  if (action === 'ssm:GetParameter') {
    if (matches(fleet, name) && !ownArn) return DENY('NeverReadOtherRegistrations');
    if (principal.githubParameters.includes(name)) return DENY('NeverReadGitHubApp');
  }
  const ownPool = `${principal.runnerConfigPath}/${principal.pool}/i-*`;
  return matches(ownPool, name) && ownArn ? ALLOW('ReadAndDeleteOwnRunnerConfig') : DENY();
}

/** `RequestRecycle`: its own pool's recycle queue, reusable pools only. */
export function authorizeSendMessage(principal: RunnerPrincipal, queueArn: string): Decision {
  return principal.recycleQueueArn !== undefined && queueArn === principal.recycleQueueArn
    ? ALLOW('RequestRecycle')
    : DENY();
}
