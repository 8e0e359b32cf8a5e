import type { Ports } from '../../ports/index.js';
import type { World } from '../world/world.js';
import { InProcessEc2 } from './ec2.js';
import { openGate, type CallGate } from './gate.js';
import { InProcessGitHub } from './github.js';
import { InProcessSqs } from './sqs.js';
import { InProcessSsm } from './ssm.js';

export { InProcessEc2, InProcessGitHub, InProcessSqs, InProcessSsm };
export { CallCounters } from './counters.js';
export type { CallGate } from './gate.js';

/** The in-process door: every port over the same world, and its virtual clock. */
export function inProcessPorts(world: World, gate: CallGate = openGate): Ports {
  return {
    github: new InProcessGitHub(world, gate),
    ec2: new InProcessEc2(world, gate),
    ssm: new InProcessSsm(world, gate),
    sqs: new InProcessSqs(world, gate),
    clock: world.engine.clock,
  };
}
