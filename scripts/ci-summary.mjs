#!/usr/bin/env node
// Adds jest's JSON results and terraform test's counts into the one closing line CI reads:
// "N passed, N failed". A missing result file counts as one failure: a stage that never ran passed nothing.
import { existsSync, readFileSync } from 'node:fs';

const sources = [
  {
    name: 'jest',
    file: '.ci/results/jest.json',
    passed: (r) => r.numPassedTests,
    failed: (r) => r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0),
  },
  { name: 'terraform test', file: '.ci/results/terraform.json', passed: (r) => r.passed, failed: (r) => r.failed },
];
let passed = 0;
let failed = 0;
for (const source of sources) {
  if (!existsSync(source.file)) {
    console.log(`${source.name}: no results (${source.file} missing)`);
    failed += 1;
    continue;
  }
  const result = JSON.parse(readFileSync(source.file, 'utf8'));
  const p = Number(source.passed(result)) || 0;
  const f = Number(source.failed(result)) || 0;
  console.log(`${source.name}: ${p} passed, ${f} failed`);
  passed += p;
  failed += f;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
