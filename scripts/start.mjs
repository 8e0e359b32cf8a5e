#!/usr/bin/env node
// `npm start`: the sandbox. Runs the control plane against the fleet simulator; no AWS or GitHub account needed.
import { runTs } from './run-ts.mjs';
process.exitCode = await runTs('lambdas/src/sim/cli.ts', process.argv.slice(2));
