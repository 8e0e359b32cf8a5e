import { CronExpressionParser } from 'cron-parser';
import { minuteCron } from '../../config/cron.js';
import type { IdleRule, PoolConfig, WarmRule } from '../../config/schema.js';

/**
 * The idle quota of a pool (upstream `idle_config`): while a rule's cron matches the current
 * minute in its time zone, keep `idleCount` idle runners. The first matching rule wins, as
 * upstream's `getIdleRunnerCount` does; no matching rule means no idle runners are kept.
 * A warm pool's size (`warmSize`) counts as a quota too: what scale-up launches ahead of jobs,
 * scale-down keeps (`keepQuota`).
 */
export type EvictionStrategy = IdleRule['evictionStrategy'];

export interface IdleQuota {
  readonly idleCount: number;
  readonly evictionStrategy: EvictionStrategy;
}

const NO_QUOTA: IdleQuota = { idleCount: 0, evictionStrategy: 'oldest_first' };

/**
 * True when `nowMs`, truncated to its minute, matches the expression in the rule's time zone.
 * Upstream asks "is the next fire time within 5 s of now" with seconds-resolution cron; for
 * five-field cron that is the same question as "does the current minute match", and a six-field
 * cron is read without its seconds (config/cron.ts).
 */
export function ruleMatches(rule: Pick<IdleRule, 'cron' | 'timeZone'>, nowMs: number): boolean {
  const minute = new Date(Math.floor(nowMs / 60_000) * 60_000);
  const expression = CronExpressionParser.parse(minuteCron(rule.cron), { tz: rule.timeZone, currentDate: minute });
  return expression.includesDate(minute);
}

export function idleQuota(rules: readonly IdleRule[], nowMs: number): IdleQuota {
  for (const rule of rules) {
    if (ruleMatches(rule, nowMs)) return { idleCount: rule.idleCount, evictionStrategy: rule.evictionStrategy };
  }
  return NO_QUOTA;
}

/** The size of the pool's first warm rule matching `nowMs`; 0 when none does. */
export function warmSize(rules: readonly WarmRule[], nowMs: number): number {
  return rules.find((rule) => ruleMatches(rule, nowMs))?.size ?? 0;
}

/**
 * How many idle runners scale-down keeps: the idle quota, or the warm pool's size when larger
 * (a warm runner scale-down retired would be launched again by the next top-up: paid twice).
 */
export function keepQuota(pool: Pick<PoolConfig, 'idleConfig' | 'warmPool'>, nowMs: number): IdleQuota {
  const idle = idleQuota(pool.idleConfig, nowMs);
  const warm = warmSize(pool.warmPool, nowMs);
  return warm > idle.idleCount ? { ...idle, idleCount: warm } : idle;
}

/**
 * Splits idle instances into those kept (the quota) and the surplus, in eviction order:
 * `oldest_first` evicts the oldest launches first, `newest_first` the newest. Ties break on
 * the instance id so a plan is deterministic.
 */
export function splitByQuota<T extends { readonly launchTimeMs: number; readonly instanceId: string }>(
  idle: readonly T[],
  quota: IdleQuota,
): { keep: T[]; surplus: T[] } {
  const evictFirst = [...idle].sort((a, b) => {
    const byAge = a.launchTimeMs - b.launchTimeMs;
    const ordered = quota.evictionStrategy === 'oldest_first' ? byAge : -byAge;
    return ordered !== 0 ? ordered : a.instanceId.localeCompare(b.instanceId);
  });
  const surplusCount = Math.max(0, evictFirst.length - quota.idleCount);
  return { surplus: evictFirst.slice(0, surplusCount), keep: evictFirst.slice(surplusCount) };
}
