#!/usr/bin/env node
// `npm test`: every check of the project, one stage after the other. Every stage runs even when
// an earlier one failed, so one red stage never hides the state of the others; the summary
// names each stage with its result and time, and the exit status is non-zero when any failed.
//
//   node scripts/test.mjs                 every stage
//   node scripts/test.mjs --only jest     the named stage(s), comma-separated
//   node scripts/test.mjs --deep          jest with the deep suites too (TEST_DEEP=1; see README)
//
// The stage results are written to .ci/results/stages.json for .ci/run's summary.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const jestEnv = {
  NODE_OPTIONS: '--experimental-vm-modules --disable-warning=ExperimentalWarning',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** The stages, in order. Cheap static checks first: their failures are the quickest to read. */
export const STAGES = [
  {
    name: 'format',
    command: ['npx', 'prettier', '--check', 'lambdas/**/*.ts', 'scripts/**/*.{mjs,ts}', '*.{js,json}'],
  },
  { name: 'lint', command: ['npx', 'eslint', '.'] },
  { name: 'typecheck', command: ['npx', 'tsc', '--noEmit', '-p', '.'] },
  { name: 'docs', command: ['node', 'scripts/docs/tf-docs.mjs', '--check'] },
  {
    name: 'jest',
    command: ['npx', 'jest', '--json', '--outputFile=.ci/results/jest.json'],
    env: jestEnv,
  },
  { name: 'terraform', command: ['bash', 'scripts/terraform/check.sh'] },
];

function parseArgs(argv) {
  const options = { only: undefined, deep: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--only') options.only = new Set((argv[++i] ?? '').split(',').filter(Boolean));
    else if (arg === '--deep') options.deep = true;
    else {
      console.error(`unknown argument ${arg}; usage: node scripts/test.mjs [--only stage,...] [--deep]`);
      process.exit(2);
    }
  }
  if (options.only) {
    const unknown = [...options.only].filter((name) => !STAGES.some((s) => s.name === name));
    if (unknown.length > 0) {
      console.error(`unknown stage(s) ${unknown.join(', ')}; stages: ${STAGES.map((s) => s.name).join(', ')}`);
      process.exit(2);
    }
  }
  return options;
}

function run(stage, extraEnv) {
  return new Promise((done) => {
    const started = Date.now();
    const child = spawn(stage.command[0], stage.command.slice(1), {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, ...stage.env, ...extraEnv },
    });
    const finish = (code, error) =>
      done({ name: stage.name, ok: code === 0, code, seconds: Math.round((Date.now() - started) / 100) / 10, error });
    child.on('error', (error) => finish(-1, error.message));
    child.on('close', (code, signal) => finish(code ?? -1, signal ? `killed by ${signal}` : undefined));
  });
}

const options = parseArgs(process.argv.slice(2));
mkdirSync(join(root, '.ci/results'), { recursive: true });
const results = [];
for (const stage of STAGES) {
  if (options.only && !options.only.has(stage.name)) continue;
  console.log(`\n--- ${stage.name}: ${stage.command.join(' ')}`);
  results.push(await run(stage, options.deep ? { TEST_DEEP: '1' } : {}));
}
writeFileSync(join(root, '.ci/results/stages.json'), `${JSON.stringify(results, null, 2)}\n`);

console.log('\n--- npm test summary');
for (const r of results) {
  const detail = r.ok ? '' : `  (exit ${r.code}${r.error ? `, ${r.error}` : ''})`;
  console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name.padEnd(10)} ${String(r.seconds).padStart(6)} s${detail}`);
}
const failed = results.filter((r) => !r.ok).map((r) => r.name);
console.log(failed.length === 0 ? 'every stage passed' : `failed stage(s): ${failed.join(', ')}`);
process.exitCode = failed.length === 0 ? 0 : 1;
