import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { ConfigError } from '../../errors.js';
import { BUILTIN_SCENARIOS } from './builtins.js';
import { scenarioSchema, type Scenario } from './schema.js';

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
  if (issue.code === 'unrecognized_keys')
    return issue.keys.map((key) => `${path === '(root)' ? key : `${path}.${key}`}: unknown key`).join('; ');
  return `${path}: ${issue.message}`;
}

/** Validates a scenario; a bad one fails with every problem named by its field path. */
export function parseScenario(json: unknown, source: string): Scenario {
  const result = scenarioSchema.safeParse(json);
  if (result.success) {
    const pools = Object.keys(result.data.pools);
    const problems: string[] = [];
    result.data.workload.forEach((w, i) => {
      if (!pools.includes(w.pool)) problems.push(`workload.${i}.pool: no pool named "${w.pool}"`);
    });
    result.data.timeline.forEach((t, i) => {
      if (!pools.includes(t.pool)) problems.push(`timeline.${i}.pool: no pool named "${t.pool}"`);
    });
    if (problems.length === 0) return result.data;
    throw new ConfigError(`scenario ${source} is invalid:\n  - ${problems.join('\n  - ')}`, problems);
  }
  const problems = result.error.issues.map(describeIssue);
  throw new ConfigError(`scenario ${source} is invalid:\n  - ${problems.join('\n  - ')}`, problems);
}

export function builtinScenarioNames(): string[] {
  return Object.keys(BUILTIN_SCENARIOS);
}

/**
 * The built-ins without attackers (`world.hostile`): the properties and the bench measure the
 * protocol against the world, and a hostile runner may waste its own instance and its own jobs
 * (architecture.md §4, trust boundaries), which those counts would take for the protocol's doing.
 * hostile-runner is checked by its own test (test/sim/hostile.test.ts).
 */
export function benignScenarioNames(): string[] {
  return builtinScenarioNames().filter((name) => loadScenario(name).world.hostile === undefined);
}

/** A built-in name (`steady`, …) or a path to a JSON file. */
export function loadScenario(nameOrFile: string): Scenario {
  const builtin = BUILTIN_SCENARIOS[nameOrFile];
  if (builtin !== undefined) return parseScenario(builtin, nameOrFile);
  let text: string;
  try {
    text = readFileSync(nameOrFile, 'utf8');
  } catch {
    throw new ConfigError(
      `scenario "${nameOrFile}" is neither a built-in (${builtinScenarioNames().join(', ')}) nor a readable file`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(
      `scenario ${nameOrFile} is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  return parseScenario(json, nameOrFile);
}
