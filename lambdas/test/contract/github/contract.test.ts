import { InMemoryGitHub } from '../../../src/sim/facades/github/index.js';
import { describeGitHubContract } from '../../support/github-contract.js';
import { ManualClock, startStack } from './stack.js';

describeGitHubContract('InMemoryGitHub', async () => {
  const clock = new ManualClock();
  const backend = new InMemoryGitHub(clock);
  return { port: backend, world: backend, now: () => clock.now(), close: async () => {} };
});

describeGitHubContract('Octokit adapter → HTTP facade (github.com root)', async () => {
  const stack = await startStack();
  return { port: stack.adapter, world: stack.backend, now: () => stack.clock.now(), close: () => stack.close() };
});

describeGitHubContract('Octokit adapter → HTTP facade (GHES /api/v3)', async () => {
  const stack = await startStack({ ghes: true });
  return { port: stack.adapter, world: stack.backend, now: () => stack.clock.now(), close: () => stack.close() };
});
