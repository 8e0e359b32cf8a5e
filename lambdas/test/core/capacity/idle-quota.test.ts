import { describe, expect, test } from '@jest/globals';
import { cronProblem } from '../../../src/config/cron.js';
import { idleQuota, keepQuota, ruleMatches, splitByQuota, warmSize } from '../../../src/core/capacity/idle-quota.js';

const at = (iso: string) => Date.parse(iso);

describe('ruleMatches', () => {
  test.each([
    ['weekday office hours, Tuesday 10:30 UTC', '* 9-17 * * 1-5', 'UTC', '2026-11-24T10:30:15Z', true],
    ['weekday office hours, Saturday', '* 9-17 * * 1-5', 'UTC', '2026-11-28T10:30:00Z', false],
    ['office hours in Berlin, 08:30 UTC is 09:30 CET', '* 9-17 * * 1-5', 'Europe/Berlin', '2026-11-24T08:30:00Z', true],
    [
      'office hours in Berlin, 16:30 UTC is 17:30 CET',
      '* 9-16 * * 1-5',
      'Europe/Berlin',
      '2026-11-24T16:30:00Z',
      false,
    ],
    ['exact minute, seconds ignored', '30 10 * * *', 'UTC', '2026-11-24T10:30:59Z', true],
    ['next minute does not match', '30 10 * * *', 'UTC', '2026-11-24T10:31:00Z', false],
    // Upstream's six-field form (seconds first, as in its docs): read per minute, seconds dropped.
    ["upstream's six fields, Tuesday 10:30", '* * 9-17 * * 1-5', 'UTC', '2026-11-24T10:30:15Z', true],
    ["upstream's six fields, Saturday", '* * 9-17 * * 1-5', 'UTC', '2026-11-28T10:30:00Z', false],
    [
      "upstream's six fields with a seconds value still match their minute",
      '30 30 10 * * *',
      'UTC',
      '2026-11-24T10:30:00Z',
      true,
    ],
    // Upstream's pool_config: EventBridge expressions; a firing minute is a matching minute.
    [
      'EventBridge cron, weekday names, Tuesday 10:30',
      'cron(* 9-17 ? * MON-FRI *)',
      'UTC',
      '2026-11-24T10:30:00Z',
      true,
    ],
    ['EventBridge cron, weekday names, Saturday', 'cron(* 9-17 ? * MON-FRI *)', 'UTC', '2026-11-28T10:30:00Z', false],
    // EventBridge counts weekdays 1-7 from Sunday: 2-6 is Monday to Friday, 7 is Saturday.
    ['EventBridge cron, weekday numbers 2-6 on a Monday', 'cron(0 8 ? * 2-6 *)', 'UTC', '2026-11-23T08:00:00Z', true],
    ['EventBridge cron, weekday numbers 2-6 on a Sunday', 'cron(0 8 ? * 2-6 *)', 'UTC', '2026-11-29T08:00:00Z', false],
    ['EventBridge cron, weekday 7 is Saturday', 'cron(0 8 ? * 7 *)', 'UTC', '2026-11-28T08:00:00Z', true],
    ['EventBridge cron, a day of the month', 'cron(15 6 1 * ? *)', 'UTC', '2026-12-01T06:15:00Z', true],
    ['EventBridge rate: every minute matches', 'rate(5 minutes)', 'UTC', '2026-11-28T03:07:00Z', true],
  ])('%s', (_name, cron, timeZone, now, expected) => {
    // Prepare / Act
    const matches = ruleMatches({ cron, timeZone }, at(now));
    // Assess
    expect(matches).toBe(expected);
  });
});

describe('idleQuota', () => {
  const rules = [
    { cron: '* 9-17 * * 1-5', timeZone: 'UTC', idleCount: 3, evictionStrategy: 'newest_first' as const },
    { cron: '* * * * *', timeZone: 'UTC', idleCount: 1, evictionStrategy: 'oldest_first' as const },
  ];

  test('the first matching rule wins', () => {
    expect(idleQuota(rules, at('2026-11-24T10:00:00Z'))).toEqual({ idleCount: 3, evictionStrategy: 'newest_first' });
  });
  test('a later rule applies when the first does not match', () => {
    expect(idleQuota(rules, at('2026-11-28T10:00:00Z'))).toEqual({ idleCount: 1, evictionStrategy: 'oldest_first' });
  });
  test('no rules keep nothing idle', () => {
    expect(idleQuota([], at('2026-11-28T10:00:00Z')).idleCount).toBe(0);
  });
});

describe('cronProblem names what cannot be read, at cold start', () => {
  test.each([
    ['* * * *', 'expected five fields'],
    ['cron(* 9-17 ? * MON-FRI)', 'six fields'],
    ['cron(* 9-17 ? * MON-FRI 2027)', 'year field'],
    ['cron(0 8 L * ? *)', 'L, W and #'],
    ['cron(0 8 ? * 6#3 *)', 'L, W and #'],
    ['rate(0 minutes)', 'rate('],
    ['rate(5 fortnights)', 'rate('],
  ])('%s', (cron, message) => {
    expect(cronProblem(cron, 'UTC')).toContain(message);
  });
  test.each(['cron(* 9-17 ? * WED *)', 'cron(*/5 * * * ? *)', 'rate(1 minute)', '* * 9-17 * * 1-5'])(
    '%s reads',
    (cron) => {
      expect(cronProblem(cron, 'UTC')).toBeUndefined();
    },
  );
});

describe('warm pools: warmSize and keepQuota', () => {
  const warm = [
    { cron: '* 9-17 * * 1-5', timeZone: 'UTC', size: 5 },
    { cron: '* * * * *', timeZone: 'UTC', size: 1 },
  ];
  const idle = [{ cron: '* * * * *', timeZone: 'UTC', idleCount: 2, evictionStrategy: 'newest_first' as const }];
  test('the first matching warm rule gives the size; none, 0', () => {
    expect(warmSize(warm, at('2026-11-24T10:00:00Z'))).toBe(5);
    expect(warmSize(warm, at('2026-11-28T10:00:00Z'))).toBe(1);
    expect(warmSize([], at('2026-11-28T10:00:00Z'))).toBe(0);
  });
  test('scale-down keeps the larger of the idle quota and the warm size, with the idle rule eviction order', () => {
    expect(keepQuota({ idleConfig: idle, warmPool: warm }, at('2026-11-24T10:00:00Z'))).toEqual({
      idleCount: 5,
      evictionStrategy: 'newest_first',
    });
    expect(keepQuota({ idleConfig: idle, warmPool: warm }, at('2026-11-28T10:00:00Z')).idleCount).toBe(2);
    expect(keepQuota({ idleConfig: [], warmPool: [] }, at('2026-11-28T10:00:00Z')).idleCount).toBe(0);
  });
});

describe('splitByQuota', () => {
  const idle = [
    { instanceId: 'i-b', launchTimeMs: 2 },
    { instanceId: 'i-a', launchTimeMs: 1 },
    { instanceId: 'i-c', launchTimeMs: 3 },
  ];
  test.each([
    ['oldest_first evicts the oldest', 'oldest_first' as const, 1, ['i-a', 'i-b'], ['i-c']],
    ['newest_first evicts the newest', 'newest_first' as const, 1, ['i-c', 'i-b'], ['i-a']],
    ['a quota above the count keeps all', 'oldest_first' as const, 5, [], ['i-a', 'i-b', 'i-c']],
    ['a zero quota evicts all', 'newest_first' as const, 0, ['i-c', 'i-b', 'i-a'], []],
  ])('%s', (_name, evictionStrategy, idleCount, surplus, keep) => {
    const result = splitByQuota(idle, { idleCount, evictionStrategy });
    expect(result.surplus.map((i) => i.instanceId)).toEqual(surplus);
    expect(result.keep.map((i) => i.instanceId).sort()).toEqual(keep);
  });
});
