#!/usr/bin/env node
// `npm run release [-- --version X.Y.Z] [--out DIR]`: what a module consumer pins instead of
// building. It builds the Lambda zips (scripts/build.mjs, byte for byte reproducible) and writes to
// DIR (default dist/release):
//   github-runner-fleet-<version>.tar.gz   the Terraform module with dist/lambdas/*.zip inside, so
//                                          `terraform apply` from it needs no Node (the module's
//                                          default `lambda_zips` paths point there)
//   <function>-<version>.zip               each Lambda alone, for `lambda_zips` from S3 or a path
//   SHA256SUMS                             `sha256sum --check` format, for every file above
// The tarball is deterministic too: sorted entries, fixed mtime, owner and mode, gzip without a
// name or time. It holds only files git tracks: a checkout's local state (`.terraform/`, state
// files) and whatever a developer left beside the examples (a `secrets.auto.tfvars`) never ship.
// docs/releasing.md says how a release is cut.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, FUNCTIONS } from './build.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** What the module needs at plan and apply time, and what a reader of a release wants beside it. */
const MODULE_FILES = [/^[a-z0-9-]+\.tf$/, /^README\.md$/, /^LICENSE$/];
const MODULE_DIRS = ['modules', 'agent', 'docs', 'examples'];

/** The files of the module a release ships: tracked by git, at the root or under MODULE_DIRS. */
export function moduleFiles(from = root) {
  const tracked = execFileSync('git', ['ls-files', '-z', '--', ...MODULE_DIRS, '*.tf', 'README.md', 'LICENSE'], {
    cwd: from,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((file) => file !== '');
  return tracked
    .filter((file) =>
      file.includes('/') ? MODULE_DIRS.includes(file.split('/')[0]) : MODULE_FILES.some((p) => p.test(file)),
    )
    .sort();
}

function option(name, fallback) {
  const at = process.argv.indexOf(name);
  if (at < 0) return fallback;
  const value = process.argv[at + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`${name} needs a value`);
  return value;
}

function sha256(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

export async function release({ version, outDir }) {
  if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) {
    throw new Error(`version ${JSON.stringify(version)} is not semantic (X.Y.Z or X.Y.Z-pre)`);
  }
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const stage = join(outDir, 'stage');
  const name = `github-runner-fleet-${version}`;
  const moduleDir = join(stage, name);
  mkdirSync(moduleDir, { recursive: true });

  for (const file of moduleFiles()) {
    mkdirSync(dirname(join(moduleDir, file)), { recursive: true });
    copyFileSync(join(root, file), join(moduleDir, file));
  }
  // The zips where the module looks for them by default (main.tf, `lambda_zips`).
  const built = await build(join(stage, 'build'));
  mkdirSync(join(moduleDir, 'dist', 'lambdas'), { recursive: true });
  const artifacts = [];
  for (const { name: fn, zip } of built) {
    copyFileSync(zip, join(moduleDir, 'dist', 'lambdas', `${fn}.zip`));
    const standalone = `${fn}-${version}.zip`;
    copyFileSync(zip, join(outDir, standalone));
    artifacts.push(standalone);
  }

  const tarball = `${name}.tar.gz`;
  const tar = execFileSync(
    'tar',
    [
      '--sort=name',
      '--mtime=@0',
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      '--mode=u+rw,go+r,go-w',
      '-cf',
      '-',
      name,
    ],
    { cwd: stage, maxBuffer: 1 << 30 },
  );
  writeFileSync(join(outDir, tarball), execFileSync('gzip', ['-n', '-9'], { input: tar, maxBuffer: 1 << 30 }));
  artifacts.unshift(tarball);
  rmSync(stage, { recursive: true, force: true });

  const sums = artifacts.map((file) => `${sha256(join(outDir, file))}  ${file}`).join('\n');
  writeFileSync(join(outDir, 'SHA256SUMS'), `${sums}\n`);
  return { outDir, tarball, artifacts: [...artifacts, 'SHA256SUMS'], functions: Object.keys(FUNCTIONS) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { version: packageVersion } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const outDir = resolve(option('--out', join(root, 'dist', 'release')));
  const result = await release({ version: option('--version', packageVersion), outDir });
  for (const file of result.artifacts) {
    const path = join(result.outDir, file);
    console.log(`${existsSync(path) ? sha256(path) : '-'}  ${path}`);
  }
}
