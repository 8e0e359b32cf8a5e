import { createAwsClients } from '../../src/adapters/aws/clients.js';
import { createEc2Port } from '../../src/adapters/aws/ec2.js';
import { createSqsPort } from '../../src/adapters/aws/sqs.js';
import { createSsmPort } from '../../src/adapters/aws/ssm.js';
import { OctokitGitHub } from '../../src/adapters/github/index.js';
import { Ec2Facade, SqsFacade, SsmFacade } from '../../src/sim/facades/aws/index.js';
import { GitHubFacade, StaticAppDirectory } from '../../src/sim/facades/github/index.js';
import { InProcessEc2, InProcessGitHub, InProcessSqs, InProcessSsm } from '../../src/sim/ports/index.js';
import { sdkOptions } from '../contract/aws/harness.js';
import { APP_ID, APP_ID_PARAMETER, KEY_PARAMETER, rsaKeyPair, secretStore } from '../contract/github/stack.js';
import { describeEc2Contract } from '../support/ec2-contract.js';
import { CONTRACT_ORG, CONTRACT_REPO, describeGitHubContract } from '../support/github-contract.js';
import { describeSqsContract } from '../support/sqs-contract.js';
import { describeSsmContract } from '../support/ssm-contract.js';
import { addJob, advance, consumeRegistration, setBusy, testWorld } from './helpers.js';

/**
 * The second door into the same world: the production adapters (Octokit, AWS SDK v3) talk to
 * the HTTP facades, which serve the simulator's in-process ports. Every contract suite the
 * in-process door passes (contract.test.ts) must pass here too.
 */
const params = { ec2: { tagReadLagSeconds: [0, 0] as [number, number] } };

describeGitHubContract('simulator through HTTP (Octokit → GitHub facade → world)', async () => {
  const world = testWorld(params);
  const { privatePem, publicKey } = rsaKeyPair();
  const directory = new StaticAppDirectory()
    .addApp(APP_ID, publicKey)
    .addInstallation(APP_ID, 101, [CONTRACT_ORG])
    .addInstallation(APP_ID, 202, [`${CONTRACT_REPO.owner}/${CONTRACT_REPO.repo}`]);
  // One clock for the world, the facade's token expiry and the adapter's JWTs: the world's virtual one.
  const clock = world.engine.clock;
  const facade = new GitHubFacade({ backend: new InProcessGitHub(world), directory, clock, secondaryLimits: false });
  const { baseUrl } = await facade.start();
  const ssm = secretStore(clock);
  await ssm.set(APP_ID_PARAMETER, APP_ID);
  await ssm.set(KEY_PARAMETER, Buffer.from(privatePem).toString('base64'));
  const port = new OctokitGitHub({
    config: {
      apiUrl: baseUrl,
      appIdParameter: APP_ID_PARAMETER,
      privateKeyParameter: KEY_PARAMETER,
      installationIds: {},
      secretCacheSeconds: 300,
    },
    ssm: ssm.port,
    clock,
    settings: { throttle: false, retry: false },
  });
  return {
    port,
    world: {
      setBusy: (runnerId, busy) => setBusy(world, runnerId, busy),
      consumeRegistration: (runnerId) => consumeRegistration(world, runnerId),
      addJob: (repo, job) => addJob(world, repo, job),
    },
    now: () => world.now,
    close: () => facade.close(),
  };
});

describeEc2Contract('simulator through HTTP (SDK → EC2 Query facade → world)', async () => {
  const world = testWorld(params);
  const facade = new Ec2Facade(new InProcessEc2(world));
  const { ec2: client } = createAwsClients(sdkOptions(await facade.start()));
  return {
    ec2: createEc2Port(client),
    advance: (ms) => advance(world, ms),
    exhaustCapacity: (instanceType) => world.ec2.exhausted.add(instanceType),
    close: async () => {
      client.destroy();
      await facade.close();
    },
  };
});

describeSsmContract('simulator through HTTP (SDK → SSM facade → world)', async () => {
  const world = testWorld(params);
  const facade = new SsmFacade(new InProcessSsm(world));
  const { ssm: client } = createAwsClients(sdkOptions(await facade.start()));
  return {
    ssm: createSsmPort(client),
    close: async () => {
      client.destroy();
      await facade.close();
    },
  };
});

describeSqsContract('simulator through HTTP (SDK → SQS facade → world)', async () => {
  const world = testWorld(params);
  const queueUrl = 'https://sqs.eu-west-1.amazonaws.com/123456789012/sim-linux';
  world.sqs.ensure(queueUrl);
  const facade = new SqsFacade(new InProcessSqs(world));
  const { sqs: client } = createAwsClients(sdkOptions(await facade.start()));
  return {
    sqs: createSqsPort(client),
    queueUrl,
    missingQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/missing',
    advance: (ms) => advance(world, ms),
    close: async () => {
      client.destroy();
      await facade.close();
    },
  };
});
