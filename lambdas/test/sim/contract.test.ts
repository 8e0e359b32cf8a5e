import { describeEc2Contract } from '../support/ec2-contract.js';
import { describeGitHubContract } from '../support/github-contract.js';
import { describeSqsContract } from '../support/sqs-contract.js';
import { describeSsmContract } from '../support/ssm-contract.js';
import { InProcessEc2, InProcessGitHub, InProcessSqs, InProcessSsm } from '../../src/sim/ports/index.js';
import { addJob, advance, consumeRegistration, setBusy, testWorld } from './helpers.js';

// The contract suites check the port semantics, not world-model lags: tag reads are made consistent here
// (eventual consistency has its own tests in world.test.ts).
const params = { ec2: { tagReadLagSeconds: [0, 0] as [number, number] } };

describeGitHubContract('simulator (in process)', async () => {
  const world = testWorld(params);
  return {
    port: new InProcessGitHub(world),
    world: {
      setBusy: (runnerId, busy) => setBusy(world, runnerId, busy),
      consumeRegistration: (runnerId) => consumeRegistration(world, runnerId),
      addJob: (repo, job) => addJob(world, repo, job),
    },
    now: () => world.now,
    close: async () => {},
  };
});

describeEc2Contract('simulator (in process)', async () => {
  const world = testWorld(params);
  return {
    ec2: new InProcessEc2(world),
    advance: (ms) => advance(world, ms),
    exhaustCapacity: (instanceType) => world.ec2.exhausted.add(instanceType),
    close: async () => {},
  };
});

describeSsmContract('simulator (in process)', async () => {
  const world = testWorld(params);
  return { ssm: new InProcessSsm(world), close: async () => {} };
});

describeSqsContract('simulator (in process)', async () => {
  const world = testWorld(params);
  const queueUrl = 'https://sqs.eu-west-1.amazonaws.com/123456789012/sim-linux';
  world.sqs.ensure(queueUrl);
  return {
    sqs: new InProcessSqs(world),
    queueUrl,
    missingQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/missing',
    advance: (ms) => advance(world, ms),
    close: async () => {},
  };
});
