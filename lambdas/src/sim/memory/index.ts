export { ManualClock } from './clock.js';
export { InMemoryEc2, type InMemoryEc2Options } from './ec2.js';
export { InMemorySsm } from './ssm.js';
export { InMemorySqs, type QueueOptions } from './sqs.js';
