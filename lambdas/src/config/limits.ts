import { z } from 'zod';
import { LEASE_MARGIN_SECONDS } from './run-budget.js';
import { scaleDownConfigSchema, scaleUpConfigSchema, webhookConfigSchema } from './schema.js';

/**
 * Every numeric range, allowed value and default of the configuration schemas, by path (a pool's
 * keys under `pools.*`). Generated from the zod schemas into `modules/lambda-config/limits.json`,
 * which the Terraform module's input validations read: each range and default is defined once,
 * here in the schema, and Terraform checks what users type against it at plan time.
 * `npm run config:limits` writes the file; a test fails when it is stale.
 */
export interface Limit {
  readonly min?: number;
  readonly max?: number;
  readonly default?: unknown;
  readonly values?: readonly unknown[];
}

interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly default?: unknown;
  readonly enum?: readonly unknown[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly additionalProperties?: JsonSchema | boolean;
  readonly items?: JsonSchema;
}

const jsonSchema: z.ZodType<JsonSchema> = z.lazy(() =>
  z.looseObject({
    type: z.union([z.string(), z.array(z.string())]).optional(),
    minimum: z.number().optional(),
    maximum: z.number().optional(),
    default: z.unknown().optional(),
    enum: z.array(z.unknown()).optional(),
    properties: z.record(z.string(), jsonSchema).optional(),
    additionalProperties: z.union([jsonSchema, z.boolean()]).optional(),
    items: jsonSchema.optional(),
  }),
);

function walk(schema: JsonSchema, path: string, out: Map<string, Limit>): void {
  const limit: Limit = {
    ...(schema.minimum === undefined ? {} : { min: schema.minimum }),
    ...(schema.maximum === undefined ? {} : { max: schema.maximum }),
    ...(schema.default === undefined || typeof schema.default === 'object' ? {} : { default: schema.default }),
    ...(schema.enum === undefined ? {} : { values: schema.enum }),
  };
  if (path !== '' && Object.keys(limit).length > 0) out.set(path, limit);
  for (const [key, child] of Object.entries(schema.properties ?? {}))
    walk(child, path === '' ? key : `${path}.${key}`, out);
  if (typeof schema.additionalProperties === 'object') walk(schema.additionalProperties, `${path}.*`, out);
  if (schema.items !== undefined) walk(schema.items, `${path}[]`, out);
}

/**
 * Constants of the protocol that Terraform's checks across inputs need, under `constant.*`:
 * the lease margin (the Lambda timeout must leave it before the lease expires).
 */
const CONSTANTS: Readonly<Record<string, Limit>> = {
  'constant.leaseMarginSeconds': { default: LEASE_MARGIN_SECONDS },
};

/** The limits of all three functions' schemas, merged by path, and the constants, sorted. */
export function configLimits(): Record<string, Limit> {
  const out = new Map<string, Limit>(Object.entries(CONSTANTS));
  for (const schema of [webhookConfigSchema, scaleUpConfigSchema, scaleDownConfigSchema]) {
    walk(jsonSchema.parse(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' })), '', out);
  }
  return Object.fromEntries([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The file's exact text (stable, so a test can compare it byte for byte). */
export function renderLimits(): string {
  return `${JSON.stringify(configLimits(), null, 2)}\n`;
}
