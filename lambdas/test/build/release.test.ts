/**
 * `npm run release` (issue 17): the module tarball carries its Lambda zips, so a consumer pinning a
 * release applies it without Node; the standalone zips and the tarball match SHA256SUMS; and the
 * whole release is byte for byte reproducible. The tarball is unpacked where there is no
 * node_modules and no source, and applied with Terraform against the mock provider; the same
 * tree without its zips must fail (the lambda-function module's precondition), so the check can.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const VERSION = '9.8.7-test';
const NAME = `github-runner-fleet-${VERSION}`;

let work = '';
let env: NodeJS.ProcessEnv = {};

function run(command: string, args: readonly string[], cwd: string) {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (result.error) throw result.error;
  return result;
}

const releaseSchema = z.object({ tarball: z.string(), artifacts: z.array(z.string()) });

function releaseInto(outDir: string): z.infer<typeof releaseSchema> {
  const script = `import { release } from './scripts/release.mjs'; console.log(JSON.stringify(await release({ version: ${JSON.stringify(VERSION)}, outDir: ${JSON.stringify(outDir)} })));`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: repo,
    env: { ...process.env, NODE_OPTIONS: '' },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`release failed:\n${result.stderr}`);
  return releaseSchema.parse(JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}'));
}

/** A root-module test of the unpacked release: the module's own zips, applied with the mock provider. */
const RELEASE_TEST = `
mock_provider "aws" {
  source = "./tests/mocks"
}

override_resource {
  target = module.webhook.aws_sqs_queue.this["linux"]
  values = { arn = "arn:aws:sqs:eu-west-1:123456789012:ghr-rel_linux", url = "https://sqs.eu-west-1.amazonaws.com/123456789012/ghr-rel_linux" }
}

override_resource {
  target = module.webhook.aws_sqs_queue.dlq["linux"]
  values = { arn = "arn:aws:sqs:eu-west-1:123456789012:ghr-rel_linux_dlq", url = "https://sqs.eu-west-1.amazonaws.com/123456789012/ghr-rel_linux_dlq" }
}

variables {
  prefix     = "ghr-rel"
  vpc_id     = "vpc-0123456789abcdef0"
  subnet_ids = ["subnet-0123456789abcdef0"]
  github_app_secrets = {
    id             = "123456"
    key_base64     = "LS0tLS1CRUdJTi0tLS0t"
    webhook_secret = "not-a-real-secret"
  }
  runner_pools = {
    linux = { owner = "acme", runner_labels = ["linux-x64"] }
  }
}

run "applies_with_its_own_zips" {
  command = apply

  assert {
    condition     = output.scale_down_function_name != null && output.lambda_configs.scale_down != null
    error_message = "The released module applies with the zips it carries."
  }
}
`;

let released: z.infer<typeof releaseSchema>;
let again: z.infer<typeof releaseSchema>;
let unpacked = '';

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'ghr-release-'));
  const rc = spawnSync('bash', [join(repo, 'scripts', 'terraform', 'cli-config.sh'), join(work, 'terraformrc')], {
    encoding: 'utf8',
  });
  if (rc.status !== 0) throw new Error(`scripts/terraform/cli-config.sh failed: ${rc.stderr}`);
  env = { ...process.env, TF_CLI_CONFIG_FILE: rc.stdout.trim(), CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' };
  released = releaseInto(join(work, 'a'));
  again = releaseInto(join(work, 'b'));
  unpacked = join(work, 'consumer');
  cpSync(join(repo, 'tests', 'mocks'), join(work, 'mocks'), { recursive: true });
  mkdirSync(unpacked, { recursive: true });
  const extracted = run('tar', ['xzf', join(work, 'a', released.tarball), '-C', unpacked], work);
  if (extracted.status !== 0) throw new Error(`tar failed: ${extracted.stderr}`);
});

afterAll(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

test('a release is the module tarball, each Lambda zip and SHA256SUMS, all matching their sums', () => {
  expect(released.artifacts).toEqual([
    `${NAME}.tar.gz`,
    `webhook-${VERSION}.zip`,
    `scale-up-${VERSION}.zip`,
    `scale-down-${VERSION}.zip`,
    `runner-cache-${VERSION}.zip`,
    'SHA256SUMS',
  ]);
  const check = run('sha256sum', ['--check', '--strict', 'SHA256SUMS'], join(work, 'a'));
  expect(check.status).toBe(0);
  expect(check.stdout.trim().split('\n')).toHaveLength(5);
});

test('two releases of the same tree are byte for byte the same', () => {
  const sums = (dir: string) => run('cat', ['SHA256SUMS'], join(work, dir)).stdout;
  expect(again.artifacts).toEqual(released.artifacts);
  expect(sums('b')).toBe(sums('a'));
});

test('the tarball holds exactly the tracked module files and the zips: nothing local to a checkout ships', () => {
  // Prepare: what git tracks of the module, as the script selects it
  const tracked = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "import { moduleFiles } from './scripts/release.mjs'; console.log(JSON.stringify(moduleFiles()));",
    ],
    { cwd: repo, env: { ...process.env, NODE_OPTIONS: '' }, encoding: 'utf8' },
  );
  const expected = [
    ...z.array(z.string()).parse(JSON.parse(tracked.stdout)),
    'dist/lambdas/runner-cache.zip',
    'dist/lambdas/scale-down.zip',
    'dist/lambdas/scale-up.zip',
    'dist/lambdas/webhook.zip',
  ].map((file) => `${NAME}/${file}`);
  // Act
  const listed = run('tar', ['tzf', join(work, 'a', released.tarball)], work)
    .stdout.split('\n')
    .filter((entry) => entry !== '' && !entry.endsWith('/'));
  // Assess
  expect(listed.sort()).toEqual(expected.sort());
});

test('a file a checkout has but git does not track is never selected (a developer’s secrets.auto.tfvars)', () => {
  // Prepare: a checkout with a tracked module file and an untracked one beside an example
  const checkout = join(work, 'checkout');
  mkdirSync(join(checkout, 'examples', 'default'), { recursive: true });
  writeFileSync(join(checkout, 'main.tf'), '');
  writeFileSync(join(checkout, 'examples', 'default', 'main.tf'), '');
  writeFileSync(join(checkout, 'examples', 'default', 'secrets.auto.tfvars'), 'github_app = "secret"\n');
  for (const args of [
    ['init', '-q'],
    ['add', 'main.tf', 'examples/default/main.tf'],
  ])
    run('git', args, checkout);
  // Act
  const script = `import { moduleFiles } from './scripts/release.mjs'; console.log(JSON.stringify(moduleFiles(${JSON.stringify(checkout)})));`;
  const selected = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: repo,
    env: { ...process.env, NODE_OPTIONS: '' },
    encoding: 'utf8',
  });
  // Assess
  expect(JSON.parse(selected.stdout)).toEqual(['examples/default/main.tf', 'main.tf']);
});

test('the tarball holds the module and its zips, and none of the sources, tests or local state', () => {
  const root = join(unpacked, NAME);
  expect(readdirSync(join(root, 'dist', 'lambdas')).sort()).toEqual([
    'runner-cache.zip',
    'scale-down.zip',
    'scale-up.zip',
    'webhook.zip',
  ]);
  for (const present of ['main.tf', 'variables-runner-pools.tf', 'modules/runner-pool/main.tf', 'agent/ghr-agent.sh']) {
    expect(existsSync(join(root, present))).toBe(true);
  }
  for (const absent of ['node_modules', 'lambdas', 'scripts', 'tests', 'package.json', '.terraform']) {
    expect(existsSync(join(root, absent))).toBe(false);
  }
});

test('the unpacked release applies with no Node build; without its zips it does not', () => {
  // Prepare: the consumer's test next to the module, the mock provider's definitions beside it
  const root = join(unpacked, NAME);
  cpSync(join(work, 'mocks'), join(root, 'tests', 'mocks'), { recursive: true });
  writeFileSync(join(root, 'tests', 'release.tftest.hcl'), RELEASE_TEST);
  const init = run('terraform', ['init', '-backend=false', '-input=false', '-no-color'], root);
  expect(init.stderr).toBe('');

  // Act
  const applied = run('terraform', ['test', '-no-color'], root);
  rmSync(join(root, 'dist'), { recursive: true });
  const withoutZips = run('terraform', ['test', '-no-color'], root);

  // Assess
  expect(`${applied.stdout}${applied.stderr}`).toMatch(/1 passed, 0 failed/);
  expect(applied.status).toBe(0);
  expect(withoutZips.status).not.toBe(0);
  expect(`${withoutZips.stdout}${withoutZips.stderr}`).toMatch(/zip/i);
});
