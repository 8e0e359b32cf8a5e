export { idleQuota, keepQuota, ruleMatches, splitByQuota, warmSize } from './idle-quota.js';
export type { EvictionStrategy, IdleQuota } from './idle-quota.js';
