/**
 * The runner user data (modules/runner-pool/templates/user-data.sh.tftpl), rendered by
 * Terraform's own templatefile() (user-data-render.ts), must be valid bash on every image profile,
 * install what each profile needs, and write an agent settings file the agent can source, whatever
 * it holds. Its fetches from the artifact bucket: user-data-fetch.test.ts.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { between, renderUserData, settings, type RenderedUserData } from './user-data-render.js';

let u: RenderedUserData;
let workDir = '';
let rendered = '';
let bare = '';
let ubuntu = '';
let prebuilt = '';
let latest = '';
let noCache = '';
const sh = (command: string, args: readonly string[], cwd: string, input?: string) => u.sh(command, args, cwd, input);

beforeAll(() => {
  u = renderUserData();
  ({ workDir, rendered, bare, ubuntu, prebuilt, latest, noCache } = u);
});

afterAll(() => u?.close());

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
