import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { configLimits, renderLimits } from '../../src/config/limits.js';
import { scaleDownConfigSchema } from '../../src/config/schema.js';
import { validScaleDownConfig } from './fixtures.js';

/**
 * Each default and range is defined once, in the zod schema; Terraform validates what users type
 * against the same numbers, read from the generated modules/lambda-config/limits.json.
 */
describe('config limits', () => {
  test('modules/lambda-config/limits.json is what the schema says (run `npm run config:limits` when this fails)', () => {
    expect(readFileSync('modules/lambda-config/limits.json', 'utf8')).toBe(renderLimits());
  });

  test('the limits are the schema: a value at each bound parses, one past it does not', () => {
    const limits = configLimits();
    const settle = limits['settleSeconds']!;
    expect(settle).toEqual({ min: 0, max: 600, default: 90 });
    const parse = (settleSeconds: number) =>
      scaleDownConfigSchema.safeParse({ ...validScaleDownConfig, settleSeconds }).success;
    expect([parse(settle.min!), parse(settle.max!), parse(settle.max! + 1), parse(settle.min! - 1)]).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(limits['pools.*.maxJobDurationMinutes']).toMatchObject({ min: 1, max: 7200, default: 360 });
    expect(limits['registration']?.values).toEqual(['jit', 'token']);
  });
});
