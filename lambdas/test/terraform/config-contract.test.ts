/**
 * The Terraform → Lambda configuration contract, checked across the language boundary: what
 * modules/lambda-config renders (a pure module, so `terraform apply` is offline and creates
 * nothing) must parse with the zod schema each Lambda parses FLEET_CONFIG with.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { scaleDownConfigSchema, scaleUpConfigSchema, webhookConfigSchema } from '../../src/config/schema.js';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const moduleSource = join(repo, 'modules', 'lambda-config');

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

let workDir = '';
let env: NodeJS.ProcessEnv = {};

function run(command: string, args: readonly string[], cwd: string): Run {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 120_000 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Writes a root module (JSON syntax) that calls modules/lambda-config with `inputs`, then init + apply. */
function applyConfig(name: string, inputs: Record<string, unknown>): Run {
  const dir = join(workDir, name);
  mkdirSync(dir, { recursive: true });
  const root = {
    module: { config: { source: moduleSource, ...inputs } },
    output: {
      webhook: { value: '${module.config.webhook_json}' },
      scale_up: { value: '${module.config.scale_up_json}' },
      scale_down: { value: '${module.config.scale_down_json}' },
    },
  };
  writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(root, null, 2));
  const init = run('terraform', ['init', '-input=false', '-no-color'], dir);
  if (init.status !== 0) throw new Error(`terraform init failed in ${dir}:\n${init.stdout}\n${init.stderr}`);
  return run('terraform', ['apply', '-auto-approve', '-input=false', '-no-color'], dir);
}

const outputsSchema = z.object({
  webhook: z.object({ value: z.string() }),
  scale_up: z.object({ value: z.string() }),
  scale_down: z.object({ value: z.string() }),
});

function readOutputs(name: string): z.output<typeof outputsSchema> {
  const out = run('terraform', ['output', '-json', '-no-color'], join(workDir, name));
  expect(out.status).toBe(0);
  return outputsSchema.parse(JSON.parse(out.stdout));
}

const queue = (pool: string): string => `https://sqs.eu-west-1.amazonaws.com/123456789012/ghr-prod_${pool}`;
const queueArn = (pool: string): string => `arn:aws:sqs:eu-west-1:123456789012:ghr-prod_${pool}`;
const deadLetterQueue = (pool: string): string => `${queue(pool)}_dlq`;
const recycleQueue = (pool: string): string => `${queue(pool)}_recycle`;
const recycleQueueArn = (pool: string): string => `${queueArn(pool)}_recycle`;
const instanceArnPrefix = 'arn:aws:ec2:eu-west-1:123456789012:instance/';

/** What the root module passes for a realistic fleet: org and repo pools, reusable and ephemeral. */
const realisticInputs = {
  environment: 'ghr-prod',
  log_level: 'debug',
  runner_config_path: '/github-action-runners/ghr-prod/runners/config',
  instance_arn_prefix: instanceArnPrefix,
  github: {
    api_url: 'https://github.example.com/api/v3',
    app_id_parameter: '/github-action-runners/ghr-prod/app/id',
    private_key_parameter: '/github-action-runners/ghr-prod/app/key_base64',
    installation_ids: { acme: 1234, 'acme/monorepo': 5678 },
    secret_cache_in_seconds: 120,
  },
  pools: {
    'linux-x64': {
      owner: 'acme',
      owner_type: 'org',
      labels: ['linux-x64', 'docker'],
      ephemeral: false,
      queue_url: queue('linux-x64'),
      queue_arn: queueArn('linux-x64'),
      dead_letter_queue_url: deadLetterQueue('linux-x64'),
      recycle_queue_url: recycleQueue('linux-x64'),
      recycle_queue_arn: recycleQueueArn('linux-x64'),
      runner_group_id: 3,
      max_runners: 50,
      minimum_running_time_in_minutes: 10,
      runner_boot_time_in_minutes: 6,
      max_job_duration_in_minutes: 120,
      launch_template_name: 'ghr-prod-linux-x64',
      instance_types: ['m7i.large', 'm6i.large'],
      subnet_ids: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
      capacity_type: 'spot',
      on_demand_fallback: true,
      idle_config: [
        { cron: '* 8-18 * * 1-5', timeZone: 'Europe/Amsterdam', idleCount: 2, evictionStrategy: 'newest_first' },
        { cron: '* * * * 0,6', idleCount: 0 },
      ],
    },
    monorepo: {
      owner: 'acme/monorepo',
      owner_type: 'repo',
      labels: ['monorepo-arm64'],
      queue_url: queue('monorepo'),
      queue_arn: queueArn('monorepo'),
      dead_letter_queue_url: deadLetterQueue('monorepo'),
      max_runners: 5,
      launch_template_name: 'ghr-prod-monorepo',
      instance_types: ['m7g.large'],
      subnet_ids: ['subnet-0123456789abcdef0'],
      capacity_type: 'on-demand',
    },
    gpu: {
      owner: 'acme',
      owner_type: 'org',
      labels: ['gpu'],
      ephemeral: true,
      queue_url: queue('gpu'),
      queue_arn: queueArn('gpu'),
      dead_letter_queue_url: deadLetterQueue('gpu'),
      max_runners: 0,
      launch_template_name: 'ghr-prod-gpu',
      instance_types: ['g5.xlarge'],
      subnet_ids: ['subnet-0123456789abcdef0'],
    },
  },
  webhook: { secret_parameter: '/github-action-runners/ghr-prod/app/webhook_secret', max_body_bytes: 2_097_152 },
  scale_up: { registration: 'jit', check_job_queued: true, extra_tags: { Team: 'platform', 'cost-center': 'ci' } },
  scale_down: {
    strategy: 'quarantine',
    settle_seconds: 120,
    quarantine_group_name: 'ghr-quarantine',
    concurrency_global: 8,
    concurrency_per_owner: 3,
    lease_parameter: '/github-action-runners/ghr-prod/scale-down/lease',
    lease_ttl_seconds: 600,
    confirm_window_seconds: 300,
  },
};

beforeAll(() => {
  // Prepare: a CLI config pointing at the local provider mirror only; terraform must exist.
  const version = spawnSync('terraform', ['version'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) {
    throw new Error(
      'terraform CLI not found on PATH: the config contract test needs Terraform >= 1.7 (see docs/terraform.md). ' +
        `Cause: ${version.error?.message ?? version.stderr}`,
    );
  }
  workDir = mkdtempSync(join(tmpdir(), 'ghr-config-contract-'));
  const rc = spawnSync('bash', [join(repo, 'scripts', 'terraform', 'cli-config.sh'), join(workDir, 'terraformrc')], {
    encoding: 'utf8',
  });
  if (rc.status !== 0) throw new Error(`scripts/terraform/cli-config.sh failed: ${rc.stderr}`);
  env = {
    ...process.env,
    TF_CLI_CONFIG_FILE: rc.stdout.trim(),
    CHECKPOINT_DISABLE: '1',
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
  };
});

afterAll(() => {
  if (workDir !== '') rmSync(workDir, { recursive: true, force: true });
});

describe('modules/lambda-config renders what the Lambdas parse', () => {
  test('a realistic fleet (org and repo pools) renders three configs the zod schemas accept', () => {
    // Act
    const applied = applyConfig('realistic', realisticInputs);
    expect(applied.stderr).toBe('');
    expect(applied.status).toBe(0);
    const outputs = readOutputs('realistic');
    const webhook = webhookConfigSchema.parse(JSON.parse(outputs.webhook.value));
    const scaleUp = scaleUpConfigSchema.parse(JSON.parse(outputs.scale_up.value));
    const scaleDown = scaleDownConfigSchema.parse(JSON.parse(outputs.scale_down.value));

    // Assess: what the user set arrives; what they left unset gets the schema's default.
    expect(Object.keys(scaleUp.pools).sort()).toEqual(['gpu', 'linux-x64', 'monorepo']);
    expect(scaleUp.pools['linux-x64']).toMatchObject({
      ownerType: 'org',
      ephemeral: false,
      runnerGroupId: 3,
      idleConfig: [
        { cron: '* 8-18 * * 1-5', timeZone: 'Europe/Amsterdam', idleCount: 2, evictionStrategy: 'newest_first' },
        { cron: '* * * * 0,6', timeZone: 'UTC', idleCount: 0, evictionStrategy: 'oldest_first' },
      ],
    });
    expect(scaleUp.pools.monorepo).toMatchObject({
      owner: 'acme/monorepo',
      ownerType: 'repo',
      ephemeral: true,
      runnerGroupId: 1,
      minimumRunningTimeMinutes: 5,
      capacityType: 'on-demand',
    });
    expect(scaleUp.extraTags).toEqual({ Team: 'platform', 'cost-center': 'ci' });
    expect(scaleUp.runnerConfigPath).toBe('/github-action-runners/ghr-prod/runners/config');
    expect(scaleUp.instanceArnPrefix).toBe(instanceArnPrefix);
    expect(scaleUp.pools.monorepo).toMatchObject({
      queueUrl: queue('monorepo'),
      queueArn: queueArn('monorepo'),
      deadLetterQueueUrl: deadLetterQueue('monorepo'),
    });
    // A reusable pool's recycle queue, apart from its job queue: scale-up takes a record's kind
    // from the queue it came from. Ephemeral pools have none.
    expect(scaleUp.pools['linux-x64']).toMatchObject({
      recycleQueueUrl: recycleQueue('linux-x64'),
      recycleQueueArn: recycleQueueArn('linux-x64'),
    });
    expect(scaleUp.pools.monorepo?.recycleQueueArn).toBeUndefined();
    expect(scaleUp.pools.gpu?.recycleQueueUrl).toBeUndefined();
    expect(webhook.github.installationIds).toEqual({ acme: 1234, 'acme/monorepo': 5678 });
    expect(webhook.maxBodyBytes).toBe(2_097_152);
    expect(webhook.logLevel).toBe('DEBUG');
    expect(scaleDown.settleSeconds).toBe(120);
    expect(scaleDown.concurrency).toEqual({ global: 8, perOwner: 3 });
    expect(scaleDown.lease).toEqual({
      parameterName: '/github-action-runners/ghr-prod/scale-down/lease',
      ttlSeconds: 600,
    });
  });

  test('minimal inputs render configs whose defaults all come from the schema', () => {
    // Prepare
    const minimal = {
      environment: 'ghr',
      runner_config_path: '/ghr/runners/config',
      instance_arn_prefix: instanceArnPrefix,
      github: { app_id_parameter: '/ghr/app/id', private_key_parameter: '/ghr/app/key' },
      pools: {
        a: {
          owner: 'acme',
          owner_type: 'org',
          labels: ['a'],
          queue_url: queue('a'),
          queue_arn: queueArn('a'),
          dead_letter_queue_url: deadLetterQueue('a'),
          max_runners: 1,
          launch_template_name: 'ghr-a',
          instance_types: ['m5.large'],
          subnet_ids: ['subnet-0a'],
        },
      },
      webhook: { secret_parameter: '/ghr/app/webhook' },
      scale_down: { lease_parameter: '/ghr/lease' },
    };

    // Act
    const applied = applyConfig('minimal', minimal);
    expect(applied.status).toBe(0);
    const outputs = readOutputs('minimal');
    const raw = z.record(z.string(), z.unknown()).parse(JSON.parse(outputs.scale_down.value));
    const scaleDown = scaleDownConfigSchema.parse(raw);

    // Assess: Terraform wrote no default of its own; zod filled them in.
    expect(Object.keys(raw).sort()).toEqual(['environment', 'github', 'lease', 'pools', 'runnerConfigPath']);
    expect(scaleDown).toMatchObject({ settleSeconds: 90, logLevel: 'INFO' });
    expect(Object.keys(scaleDown)).not.toContain('strategy');
    expect(scaleUpConfigSchema.safeParse(JSON.parse(outputs.scale_up.value)).success).toBe(true);
    expect(webhookConfigSchema.safeParse(JSON.parse(outputs.webhook.value)).success).toBe(true);
  });

  test('a bad input is refused by the module at plan time, before it can render what the schema rejects', () => {
    // Prepare: a tag key with "/" — illegal in instance metadata, and refused by the schema.
    const badTags = { Team: 'platform', 'team/name': 'ci' };
    const wouldRender = {
      ...scaleUpConfigSchema.parse({
        environment: 'ghr-prod',
        github: { appIdParameter: '/a/id', privateKeyParameter: '/a/key' },
        pools: {},
        runnerConfigPath: '/a/runners',
        instanceArnPrefix,
      }),
      extraTags: badTags,
    };
    const schemaVerdict = scaleUpConfigSchema.safeParse(wouldRender);

    // Act
    const applied = applyConfig('bad-tags', {
      ...realisticInputs,
      scale_up: { ...realisticInputs.scale_up, extra_tags: badTags },
    });

    // Assess: the schema would refuse it at cold start; Terraform refuses it first, saying why.
    expect(schemaVerdict.success).toBe(false);
    expect(applied.status).not.toBe(0);
    expect(applied.stderr).toContain('Invalid value for variable');
    expect(applied.stderr).toContain('legal in instance metadata');
    expect(run('terraform', ['output', '-json', '-no-color'], join(workDir, 'bad-tags')).stdout.trim()).toBe('{}');
  });
});
