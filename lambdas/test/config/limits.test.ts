import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { configLimits, renderLimits } from '../../src/config/limits.js';
import { scaleDownConfigSchema } from '../../src/config/schema.js';
import { LEASE_MARGIN_SECONDS, minimumLeaseSeconds } from '../../src/config/run-budget.js';
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
    expect(settle).toEqual({ min: 70, max: 600, default: 90 });
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
    expect(limits['constant.leaseMarginSeconds']).toEqual({ default: LEASE_MARGIN_SECONDS });
  });

  test("a lease shorter than the longest run at the pools' maxima plus the margin is refused, naming the key (guarantee 4)", () => {
    const needed = minimumLeaseSeconds(scaleDownConfigSchema.parse(validScaleDownConfig));
    const parse = (ttlSeconds: number) =>
      scaleDownConfigSchema.safeParse({
        ...validScaleDownConfig,
        lease: { ...validScaleDownConfig.lease, ttlSeconds },
      });
    expect(parse(needed).success).toBe(true);
    const refused = parse(needed - 1);
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.path).toEqual(['lease', 'ttlSeconds']);
    expect(refused.error?.issues[0]?.message).toContain(`at least ${needed} s`);
    // The settle wait is part of it: a settle that does not fit in the lease is refused too.
    const longSettle = scaleDownConfigSchema.safeParse({
      ...validScaleDownConfig,
      settleSeconds: 600,
      lease: { ...validScaleDownConfig.lease, ttlSeconds: 600 },
    });
    expect(longSettle.success).toBe(false);
  });
});
