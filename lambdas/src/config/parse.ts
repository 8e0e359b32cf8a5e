import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { CONFIG_VARIABLE } from './env.js';

/** Renders a zod issue as `path: message`, with `(root)` for the top level. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `${path === '(root)' ? key : `${path}.${key}`}: unknown key (typo?)`).join('\n  - ');
  }
  if (issue.code === 'invalid_key' || issue.code === 'invalid_element') {
    // Record keys: the schema's own message ("tag keys must be …") sits one level down.
    return `${path}: ${issue.issues.map((inner) => inner.message).join('; ')}`;
  }
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) {
    return `${path}: missing (expected ${issue.expected})`;
  }
  return `${path}: ${issue.message}`;
}

/**
 * Parses the raw JSON text of the configuration against a schema. Fails once, with every
 * problem named, so a bad deployment is fixed in one round trip instead of one per key.
 */
export function parseConfig<S extends z.ZodType>(
  schema: S,
  raw: string | undefined,
  functionName: string,
): z.output<S> {
  if (raw === undefined || raw.trim() === '') {
    throw new ConfigError(
      `${functionName}: environment variable ${CONFIG_VARIABLE} is not set; it must hold the JSON configuration Terraform renders`,
      [`${CONFIG_VARIABLE}: missing`],
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`${functionName}: ${CONFIG_VARIABLE} is not valid JSON (${reason})`, [
      `${CONFIG_VARIABLE}: invalid JSON`,
    ]);
  }
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const problems = result.error.issues.map(describeIssue);
  const count = result.error.issues.reduce(
    (n, issue) => n + (issue.code === 'unrecognized_keys' ? issue.keys.length : 1),
    0,
  );
  throw new ConfigError(
    `${functionName}: ${CONFIG_VARIABLE} has ${count} invalid key${count === 1 ? '' : 's'}:\n  - ${problems.join('\n  - ')}`,
    problems,
  );
}
