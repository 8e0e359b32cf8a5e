import type { GitHubConfig, PoolConfig, ScaleUpConfig } from '../../config/schema.js';
import { AlreadyExistsError, describeError } from '../../errors.js';
import type { SecretRegistry } from '../../observability/redact.js';
import type { Log } from '../../observability/types.js';
import type { Clock, Ec2Port, GitHubPort, RunnerOwner, SsmPort } from '../../ports/index.js';
import { parseOwner } from '../../ports/index.js';
import { RUNNER_CONFIG_TAG, TAG, encodeRunnerConfigReady } from '../tags.js';
import { runnerLabels } from '../webhook/labels.js';

/**
 * The runner configuration of one instance: generated at GitHub, stored as a SecureString at
 * `${runnerConfigPath}/${pool}/${instanceId}` (the agent reads and deletes it), announced by tags.
 * The parameter is tagged with the ARN of its instance: the runner role may read and delete only
 * a parameter whose `ghr:instance-arn` is the caller's own instance (docs/threat-model.md), so a
 * job on one runner cannot take another runner's registration, in its pool or any other.
 *
 * What the agent finds in the parameter (its contract):
 * - JIT (`registration: 'jit'`): the `encoded_jit_config` as is, for `run.sh --jitconfig <value>`.
 * - Token (GHES without JIT): `config.sh` arguments on one line, starting with `--url`
 *   (`--url U --token T --name N --labels a,b --unattended --no-default-labels [--runnergroup G] [--ephemeral]`).
 *   None of the values contains a space (labels are validated without spaces or commas).
 */

// The `ghr:runner-config` signal lives in core/tags.ts: scale-down reads it too (plan.ts).
export { RUNNER_CONFIG_TAG, decodeRunnerConfigReady, encodeRunnerConfigReady } from '../tags.js';

/**
 * The registration the instance's current one replaced (scale-up's own tag, beside
 * `ghr:github_runner_id`): a recycle is answered only once it is gone at GitHub, so an instance never
 * holds more than two registrations (recycle.ts).
 */
export const PREVIOUS_RUNNER_TAG = 'ghr:previous-runner-id';

export function runnerOwner(pool: Pick<PoolConfig, 'owner'>): RunnerOwner {
  return parseOwner(pool.owner);
}

export function configParameterName(runnerConfigPath: string, pool: string, instanceId: string): string {
  return `${runnerConfigPath.replace(/\/+$/, '')}/${pool}/${instanceId}`;
}

/** The tag that binds a runner config to the one instance whose role may read and delete it. */
export const INSTANCE_ARN_TAG = 'ghr:instance-arn';

/**
 * `https://api.github.com` → `https://github.com`; GHE.com (data residency)
 * `https://api.SUBDOMAIN.ghe.com` → `https://SUBDOMAIN.ghe.com`; GHES `https://HOST/api/v3` →
 * `https://HOST` (GitHub Docs, "REST API endpoints for GHE.com": the API is on the `api.` host,
 * without `/api/v3`).
 */
export function webUrl(apiUrl: string): string {
  const url = new URL(apiUrl);
  if (url.hostname === 'api.github.com') return 'https://github.com';
  if (/^api\.[a-z0-9-]+\.ghe\.com$/.test(url.hostname)) return `${url.protocol}//${url.host.slice('api.'.length)}`;
  const path = url.pathname.replace(/\/api\/v3\/?$/, '').replace(/\/+$/, '');
  return `${url.protocol}//${url.host}${path}`;
}

export interface ProvisionDeps {
  readonly github: Pick<
    GitHubPort,
    'generateJitConfig' | 'createRegistrationToken' | 'listRunnerGroups' | 'deleteRunner'
  >;
  readonly ssm: Pick<SsmPort, 'putParameter' | 'deleteParameter'>;
  readonly ec2: Pick<Ec2Port, 'createTags' | 'terminateInstances'>;
  readonly clock: Clock;
  readonly secrets: SecretRegistry;
}

export interface ProvisionContext {
  readonly config: Pick<ScaleUpConfig, 'registration' | 'runnerConfigPath' | 'instanceArnPrefix' | 'environment'> & {
    readonly github: Pick<GitHubConfig, 'apiUrl'>;
  };
  readonly log: Log;
}

async function tokenConfig(
  deps: ProvisionDeps,
  ctx: ProvisionContext,
  pool: PoolConfig,
  name: string,
): Promise<string> {
  const owner = runnerOwner(pool);
  const token = await deps.github.createRegistrationToken(owner);
  deps.secrets.register(token.token);
  const args = [
    '--url',
    `${webUrl(ctx.config.github.apiUrl)}/${pool.owner}`,
    '--token',
    token.token,
    '--name',
    name,
    '--labels',
    runnerLabels(pool).join(','),
    '--unattended',
    '--no-default-labels',
  ];
  if (owner.kind === 'org' && pool.runnerGroupId !== 1) {
    const group = (await deps.github.listRunnerGroups(owner.org)).find((g) => g.id === pool.runnerGroupId);
    if (group !== undefined && !/\s/.test(group.name)) args.push('--runnergroup', group.name);
  }
  if (pool.ephemeral) args.push('--ephemeral');
  return args.join(' ');
}

/**
 * Generates, stores and announces the runner config of one instance. Returns the GitHub runner
 * id (JIT) when there is one. On failure it undoes what it made (registration, parameter) and
 * rethrows; the caller decides about the instance.
 */
export async function provisionRunnerConfig(
  deps: ProvisionDeps,
  ctx: ProvisionContext,
  poolName: string,
  pool: PoolConfig,
  instanceId: string,
  /** A registration prepared ahead is named apart (core/runner-name.ts) and records the one it follows. */
  next?: { readonly runnerName: string; readonly tags: Readonly<Record<string, string>> },
): Promise<{ runnerId?: number }> {
  const owner = runnerOwner(pool);
  let runnerId: number | undefined;
  let value: string;
  if (ctx.config.registration === 'jit') {
    const jit = await deps.github.generateJitConfig(owner, {
      name: next?.runnerName ?? instanceId,
      labels: runnerLabels(pool),
      runnerGroupId: pool.ownerType === 'org' ? pool.runnerGroupId : 1,
    });
    deps.secrets.register(jit.encodedJitConfig);
    runnerId = jit.runnerId;
    value = jit.encodedJitConfig;
  } else {
    value = await tokenConfig(deps, ctx, pool, next?.runnerName ?? instanceId);
  }
  const name = configParameterName(ctx.config.runnerConfigPath, poolName, instanceId);
  let stored = false;
  try {
    await storeConfig(deps, name, value, {
      [INSTANCE_ARN_TAG]: `${ctx.config.instanceArnPrefix}${instanceId}`,
      [TAG.environment]: ctx.config.environment,
      [TAG.pool]: poolName,
    });
    stored = true;
    await deps.ec2.createTags([instanceId], {
      ...next?.tags,
      [RUNNER_CONFIG_TAG]: encodeRunnerConfigReady(deps.clock.now()),
      ...(runnerId === undefined ? {} : { [TAG.runnerId]: String(runnerId) }),
    });
  } catch (error) {
    await undo(deps, ctx, owner, runnerId, stored ? name : undefined);
    throw error;
  }
  return runnerId === undefined ? {} : { runnerId };
}

/**
 * Creates the parameter with its tags. SSM tags only new parameters (no overwrite with tags), so a
 * leftover of an earlier registration of this instance (never read by its agent) is deleted first:
 * that registration was never handed to a runner, and the new one replaces it.
 */
async function storeConfig(
  deps: ProvisionDeps,
  name: string,
  value: string,
  tags: Readonly<Record<string, string>>,
): Promise<void> {
  const put = () => deps.ssm.putParameter({ name, value, type: 'SecureString', overwrite: false, tags });
  try {
    await put();
  } catch (error) {
    if (!(error instanceof AlreadyExistsError)) throw error;
    await deps.ssm.deleteParameter(name);
    await put();
  }
}

/** Best effort: a leftover is caught by housekeeping (parameters) or GitHub (offline JIT runners). */
async function undo(
  deps: ProvisionDeps,
  ctx: ProvisionContext,
  owner: RunnerOwner,
  runnerId: number | undefined,
  parameterName: string | undefined,
): Promise<void> {
  if (parameterName !== undefined) {
    await deps.ssm.deleteParameter(parameterName).catch((error: unknown) => {
      ctx.log.warn('runner config cleanup failed', { parameterName, error: describeError(error) });
    });
  }
  if (runnerId !== undefined) {
    // The registration was never handed to a runner process: deleting it cannot cancel a job.
    await deps.github.deleteRunner(owner, runnerId).catch((error: unknown) => {
      ctx.log.warn('runner registration cleanup failed', { runnerId, error: describeError(error) });
    });
  }
}
