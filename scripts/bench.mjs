#!/usr/bin/env node
// `npm run bench [-- --json]`: the side-by-side tables (safety per strategy, scale, cost).
import { runTs } from './run-ts.mjs';
process.exitCode = await runTs('lambdas/src/bench/cli.ts', process.argv.slice(2));
