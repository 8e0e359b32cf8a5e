import { describe, test } from '@jest/globals';
import { runThroughHttpDoor } from './http-door.helpers.js';

/** Issue 8 through the HTTP door, classes 1-3 and 6: faults of the services behind the facades. */
describe('the fault matrix through the HTTP door (service faults)', () => {
  test('GitHub 5xx and timeouts reach Octokit as 502s; nothing killed, leaked or left', async () => {
    await runThroughHttpDoor('github-5xx-timeouts', [/^world: github error: /, /^door warn job status check failed/]);
  });

  test('GitHub primary and secondary rate limits reach Octokit as 403s with their headers', async () => {
    await runThroughHttpDoor('github-rate-limits', [/^world: rate-limit answers: /, /^metric rateLimited: /]);
  });

  test('EC2 RequestLimitExceeded reaches the AWS SDK; scale-down defers and says so', async () => {
    await runThroughHttpDoor('ec2-throttling', [/^world: rate-limit answers: /, /^warn .*rate limited/]);
  });

  test('lost and late webhooks', async () => {
    await runThroughHttpDoor('webhooks-lost-late', [/^world: webhooks lost: /, /^world: webhooks late > 5 min: /]);
  });
});
