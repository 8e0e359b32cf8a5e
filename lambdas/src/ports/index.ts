export type * from './github.js';
export { ownerKey, parseOwner } from './github.js';
export type * from './ec2.js';
export type * from './ssm.js';
export type * from './sqs.js';
export type { Clock } from './clock.js';
export { systemClock } from './clock.js';

import type { Clock } from './clock.js';
import type { Ec2Port } from './ec2.js';
import type { GitHubPort } from './github.js';
import type { SqsPort } from './sqs.js';
import type { SsmPort } from './ssm.js';

/** Everything a control-plane component may touch: the handler wires production adapters, the simulator its own. */
export interface Ports {
  readonly github: GitHubPort;
  readonly ec2: Ec2Port;
  readonly ssm: SsmPort;
  readonly sqs: SqsPort;
  readonly clock: Clock;
}
