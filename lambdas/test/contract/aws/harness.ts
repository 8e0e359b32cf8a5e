/** Wiring for the contract runs: real SDK clients → HTTP facades → in-memory backends, on one manual clock. */
import { createAwsClients } from '../../../src/adapters/aws/clients.js';
import { createEc2Port } from '../../../src/adapters/aws/ec2.js';
import { createSqsPort } from '../../../src/adapters/aws/sqs.js';
import { createSsmPort } from '../../../src/adapters/aws/ssm.js';
import { Ec2Facade, SqsFacade, SsmFacade } from '../../../src/sim/facades/aws/index.js';
import { InMemoryEc2, InMemorySqs, InMemorySsm, ManualClock } from '../../../src/sim/memory/index.js';
import type { Ec2ContractSubject } from '../../support/ec2-contract.js';
import type { SqsContractSubject } from '../../support/sqs-contract.js';
import type { SsmContractSubject } from '../../support/ssm-contract.js';

export const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/ghr-linux';
export const MISSING_QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/nope';

export function sdkOptions(endpoint: string) {
  return {
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDFACADE', secretAccessKey: 'not-a-secret' },
    maxAttempts: 1,
  };
}

export async function facadeEc2(): Promise<Ec2ContractSubject & { facade: Ec2Facade; backend: InMemoryEc2 }> {
  const clock = new ManualClock();
  const backend = new InMemoryEc2(clock);
  const facade = new Ec2Facade(backend);
  const { ec2: client } = createAwsClients(sdkOptions(await facade.start()));
  return {
    ec2: createEc2Port(client),
    facade,
    backend,
    advance: (ms) => clock.advance(ms),
    exhaustCapacity: (type) => backend.exhaustCapacity(type),
    close: async () => {
      client.destroy();
      await facade.close();
    },
  };
}

export async function facadeSsm(): Promise<SsmContractSubject & { facade: SsmFacade; clock: ManualClock }> {
  const clock = new ManualClock();
  const facade = new SsmFacade(new InMemorySsm(clock));
  const { ssm: client } = createAwsClients(sdkOptions(await facade.start()));
  return {
    ssm: createSsmPort(client),
    facade,
    clock,
    close: async () => {
      client.destroy();
      await facade.close();
    },
  };
}

export async function facadeSqs(): Promise<SqsContractSubject & { facade: SqsFacade }> {
  const clock = new ManualClock();
  const backend = new InMemorySqs(clock);
  backend.createQueue(QUEUE_URL);
  const facade = new SqsFacade(backend);
  const { sqs: client } = createAwsClients(sdkOptions(await facade.start()));
  return {
    sqs: createSqsPort(client),
    facade,
    queueUrl: QUEUE_URL,
    missingQueueUrl: MISSING_QUEUE_URL,
    advance: (ms) => clock.advance(ms),
    close: async () => {
      client.destroy();
      await facade.close();
    },
  };
}
