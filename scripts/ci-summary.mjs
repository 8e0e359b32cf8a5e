#!/usr/bin/env node
// The closing line CI reads, "N passed, N failed", from every stage of `npm test`
// (.ci/results/stages.json, written by scripts/test.mjs): jest and terraform test add their test
// counts; a check stage (format, lint, types, docs) adds one pass or one failure. Every stage is
// named with its result, so no red stage hides behind another, and a stage whose results are
// missing counts as a failure: a stage that never ran passed nothing.
import { existsSync, readFileSync } from 'node:fs';

const read = (file) => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined);

const counted = {
  jest: {
    file: '.ci/results/jest.json',
    passed: (r) => r.numPassedTests,
    failed: (r) => r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0),
  },
  terraform: { file: '.ci/results/terraform.json', passed: (r) => r.passed, failed: (r) => r.failed },
};

const stages = read('.ci/results/stages.json');
let passed = 0;
let failed = 0;
if (stages === undefined) {
  console.log('npm test: no stage results (.ci/results/stages.json missing)');
  failed += 1;
} else {
  for (const stage of stages) {
    const source = counted[stage.name];
    const result = source === undefined ? undefined : read(source.file);
    let p = stage.ok ? 1 : 0;
    let f = stage.ok ? 0 : 1;
    let detail = stage.ok ? 'ok' : `FAILED (exit ${stage.code})`;
    if (source !== undefined && result === undefined) {
      detail += `, no results (${source.file} missing)`;
      p = 0;
      f = 1;
    } else if (source !== undefined) {
      p = Number(source.passed(result)) || 0;
      // A stage that failed with every test passing (a crash, a lingering process) is still a failure.
      f = Math.max(Number(source.failed(result)) || 0, stage.ok ? 0 : 1);
      detail += `, ${p} passed, ${f} failed`;
    }
    console.log(`${stage.name}: ${detail} (${stage.seconds} s)`);
    passed += p;
    failed += f;
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
