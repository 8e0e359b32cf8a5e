import { InMemoryEc2, InMemorySqs, InMemorySsm, ManualClock } from '../../../src/sim/memory/index.js';
import { describeEc2Contract } from '../../support/ec2-contract.js';
import { describeSqsContract } from '../../support/sqs-contract.js';
import { describeSsmContract } from '../../support/ssm-contract.js';
import { MISSING_QUEUE_URL, QUEUE_URL } from './harness.js';

describeEc2Contract('in-memory', async () => {
  const clock = new ManualClock();
  const ec2 = new InMemoryEc2(clock);
  return {
    ec2,
    advance: (ms) => clock.advance(ms),
    exhaustCapacity: (type) => ec2.exhaustCapacity(type),
    close: async () => {},
  };
});

describeSsmContract('in-memory', async () => ({ ssm: new InMemorySsm(new ManualClock()), close: async () => {} }));

describeSqsContract('in-memory', async () => {
  const clock = new ManualClock();
  const sqs = new InMemorySqs(clock);
  sqs.createQueue(QUEUE_URL);
  return {
    sqs,
    queueUrl: QUEUE_URL,
    missingQueueUrl: MISSING_QUEUE_URL,
    advance: (ms) => clock.advance(ms),
    close: async () => {},
  };
});
