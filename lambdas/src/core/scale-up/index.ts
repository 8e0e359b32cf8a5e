export { APPLICATION, fleetTags, launchInstances, type Launched } from './launch.js';
export { launchRunners, outcomeOfError, processJobs, type LaunchedRunner, type PendingJob } from './job.js';
export {
  heldCopy,
  holdAtMaximum,
  holdDelaySeconds,
  MAX_DELAY_SECONDS,
  recheckCopy,
  scheduleRecheck,
} from './requeue.js';
export * from './messages.js';
export {
  decideRecycle,
  processRecycle,
  recycleStaleReason,
  type RecycleDecision,
  type RecycleInput,
} from './recycle.js';
export {
  configParameterName,
  decodeRunnerConfigReady,
  encodeRunnerConfigReady,
  provisionRunnerConfig,
  RUNNER_CONFIG_TAG,
  webUrl,
} from './runner-config.js';
export {
  handleScaleUpBatch,
  handleScaleUpInvocation,
  type ScaleUpAnswer,
  type ScaleUpInvocation,
  type ScaleUpRecord,
  type ScaleUpResult,
} from './scale-up.js';
export {
  handleSpotWarning,
  isSpotWarningEvent,
  processRerun,
  type SpotWarningEvent,
  type SpotWarningReport,
} from './spot.js';
export {
  isReadyForWork,
  isWarmPoolEvent,
  topUpCount,
  topUpWarmPools,
  WARM_POOL_EVENT,
  WarmPoolError,
  type TopUpInput,
  type WarmPoolReport,
} from './warm-pool.js';
export type { Outcome, ScaleUpContext, ScaleUpDeps } from './types.js';
