/**
 * Renders the runner user data (modules/runner-pool/templates/user-data.sh.tftpl) with Terraform's
 * own templatefile() in a provider-free root (offline), for the tests of user-data.test.ts and
 * user-data-fetch.test.ts: each image profile, with and without the runner binary cache.
 */
import { expect } from '@jest/globals';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const repo = fileURLToPath(new URL('../../..', import.meta.url));
const template = join(repo, 'modules', 'runner-pool', 'templates', 'user-data.sh.tftpl');
export const agent = join(repo, 'agent', 'ghr-agent.sh');
export const unit = join(repo, 'agent', 'ghr-agent.service');

/** A JSON value is also an HCL expression once template sequences are escaped. */
function hcl(value: unknown): string {
  return JSON.stringify(value).replace(/\$\{/g, '$${').replace(/%\{/g, '%%{');
}

/** Text between `start` and the next `end` (both excluded). */
export function between(text: string, start: string, end: string): string {
  const from = text.indexOf(start);
  expect(from).toBeGreaterThanOrEqual(0);
  const to = text.indexOf(end, from + start.length);
  expect(to).toBeGreaterThan(from);
  return text.slice(from + start.length, to);
}

export const settings = {
  GHR_POOL: 'linux-x64',
  GHR_EPHEMERAL: 'false',
  GHR_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/ghr-linux-x64',
  GHR_CONFIG_PATH: '/github-action-runners/ghr/runners/config/linux-x64',
  GHR_RUNNER_DIR: '/opt/actions-runner',
  GHR_RUNNER_USER: 'ec2-user',
  GHR_ENVIRONMENT: 'it\'s $HOME `date` "quoted"',
};

/** Stands in for a runner tarball (one file the user data runs); the template pins its SHA-256 like a real release's. */
function fakeRunnerTarball(marker: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'ghr-tarball-'));
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'bin', 'installdependencies.sh'), `#!/bin/sh\n# ${marker}\n`, { mode: 0o755 });
  const packed = spawnSync('tar', ['czf', '-', '-C', dir, 'bin']);
  rmSync(dir, { recursive: true, force: true });
  return packed.stdout;
}
export const tarball = fakeRunnerTarball('2.329.0');
export const newerTarball = fakeRunnerTarball('2.330.0');
export const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');
export const tarballSha256 = sha256(tarball);
export const agentSha256 = sha256(readFileSync(agent));
export const unitSha256 = sha256(readFileSync(unit));
export const BUCKET = 'ghr-artifacts-test';

export interface RenderedUserData {
  readonly workDir: string;
  readonly env: NodeJS.ProcessEnv;
  /** al2023 with git, Docker and instance logs; the same without them; ubuntu; prebuilt. */
  readonly rendered: string;
  readonly bare: string;
  readonly ubuntu: string;
  readonly prebuilt: string;
  /** A pool on `runner_version = "latest"`, and one without the runner binary cache. */
  readonly latest: string;
  readonly noCache: string;
  /** Runs a command in the scratch environment (the Terraform CLI config among it). */
  sh(command: string, args: readonly string[], cwd: string, input?: string): SpawnSyncReturns<string>;
  close(): void;
}

export function renderUserData(): RenderedUserData {
  let workDir = '';
  let env: NodeJS.ProcessEnv = {};
  const sh = (command: string, args: readonly string[], cwd: string, input?: string) => {
    const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', input, timeout: 120_000 });
    if (result.error) throw result.error;
    return result;
  };
  // Prepare: a root module whose only output is the rendered template.
  const version = spawnSync('terraform', ['version'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) {
    throw new Error(
      `terraform CLI not found on PATH: rendering the user data needs Terraform >= 1.7 (${version.error?.message ?? version.stderr})`,
    );
  }
  workDir = mkdtempSync(join(tmpdir(), 'ghr-user-data-'));
  const rc = spawnSync('bash', [join(repo, 'scripts', 'terraform', 'cli-config.sh'), join(workDir, 'terraformrc')], {
    encoding: 'utf8',
  });
  if (rc.status !== 0) throw new Error(`scripts/terraform/cli-config.sh failed: ${rc.stderr}`);
  env = { ...process.env, TF_CLI_CONFIG_FILE: rc.stdout.trim(), CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' };
  writeFileSync(
    join(workDir, 'main.tf'),
    `locals {
  vars = {
    agent_script          = trimspace(file(${hcl(agent)}))
    agent_unit            = trimspace(file(${hcl(unit)}))
    agent_settings        = ${hcl(settings)}
    runner_latest         = false
    runner_version        = "2.329.0"
    runner_arch           = "x64"
    runner_sha256         = "${tarballSha256}"
    runner_cache          = true
    artifact_bucket       = "${BUCKET}"
    agent_key             = "agent/${agentSha256}/ghr-agent.sh"
    agent_sha256          = "${agentSha256}"
    unit_key              = "agent/${unitSha256}/ghr-agent.service"
    unit_sha256           = "${unitSha256}"
    region                = "eu-west-1"
    run_as                = "ec2-user"
    userdata_pre_install  = "echo pre"
    userdata_post_install = "echo post"
    install_docker        = true
    install_git           = true
    image_profile         = "al2023"
    log_group             = "/github-runners/ghr_linux-x64"
  }
}
output "user_data" {
  value = templatefile(${hcl(template)}, local.vars)
}
output "user_data_bare" {
  value = templatefile(${hcl(template)}, merge(local.vars, { install_docker = false, install_git = false, log_group = "" }))
}
output "user_data_ubuntu" {
  value = templatefile(${hcl(template)}, merge(local.vars, { image_profile = "ubuntu" }))
}
output "user_data_prebuilt" {
  value = templatefile(${hcl(template)}, merge(local.vars, { image_profile = "prebuilt" }))
}
output "user_data_latest" {
  value = templatefile(${hcl(template)}, merge(local.vars, { runner_latest = true }))
}
output "user_data_no_cache" {
  value = templatefile(${hcl(template)}, merge(local.vars, { runner_cache = false }))
}
`,
  );

  // Act
  const applied = sh('terraform', ['apply', '-auto-approve', '-input=false', '-no-color'], workDir);
  if (applied.status !== 0) throw new Error(`terraform apply failed:\n${applied.stdout}\n${applied.stderr}`);
  const output = sh('terraform', ['output', '-json'], workDir);
  const text = z.object({ value: z.string() });
  const outputs = z
    .object({
      user_data: text,
      user_data_bare: text,
      user_data_ubuntu: text,
      user_data_prebuilt: text,
      user_data_latest: text,
      user_data_no_cache: text,
    })
    .parse(JSON.parse(output.stdout));
  return {
    workDir,
    env,
    rendered: outputs.user_data.value,
    bare: outputs.user_data_bare.value,
    ubuntu: outputs.user_data_ubuntu.value,
    prebuilt: outputs.user_data_prebuilt.value,
    latest: outputs.user_data_latest.value,
    noCache: outputs.user_data_no_cache.value,
    sh,
    close: () => rmSync(workDir, { recursive: true, force: true }),
  };
}
