/** The keys `npm start -- --json` prints, in this order (issue 3, then issue 12). Shared by the CLI tests of both doors. */
export const JSON_KEYS = [
  'scenario',
  'strategy',
  'seed',
  'simulatedHours',
  'jobsSubmitted',
  'jobsCompleted',
  'jobsKilled',
  'jobsKilledByCause',
  'jobsLostToSpot',
  // issue 16: jobs GitHub re-ran after a spot reclaim
  'jobsRequeuedAfterSpot',
  'jobsQueuedAtEnd',
  'instancesLaunched',
  'instancesLeaked',
  'instanceHours',
  'idleInstanceHours',
  'githubCalls',
  'awsCalls',
  'maxSurplusIdleSeconds',
  // issue 12: what a user needs to judge a run
  'queueWaitSeconds',
  'returnedToService',
  'backstops',
  'ec2Throttles',
  'githubThrottles',
  'degraded',
  'killedJobs',
  // issue 13
  'guards',
  'retirementSecondsByPool',
  'maxMarkedWithDemandSeconds',
  // issue 14
  'hostileAttempts',
  // issue 15: the runner's source and CreateFleet to runner online
  'boot',
];
