export { idleQuota, ruleMatches, splitByQuota } from './idle-quota.js';
export type { EvictionStrategy, IdleQuota } from './idle-quota.js';
