/**
 * The interceptor (support/intercept.ts) adds hooks and a call record, nothing else: every contract
 * suite passes through it with hooks on every call, so a test that reaches a double through it
 * still meets the double the suites hold.
 */
import { describe, expect, test } from '@jest/globals';
import { NotFoundError, RateLimitedError } from '../../src/errors.js';
import type { Clock, Ec2Port, GitHubPort, SqsPort, SsmPort } from '../../src/ports/index.js';
import { InMemoryGitHub } from '../../src/sim/facades/github/index.js';
import { InMemoryEc2, InMemorySqs, InMemorySsm, ManualClock } from '../../src/sim/memory/index.js';
import { describeEc2Contract, fleetRequest } from '../support/ec2-contract.js';
import { describeGitHubContract } from '../support/github-contract.js';
import { intercept } from '../../src/sim/ports/intercept.js';
import { describeSqsContract } from '../support/sqs-contract.js';
import { describeSsmContract } from '../support/ssm-contract.js';
import { MISSING_QUEUE_URL, QUEUE_URL } from './aws/harness.js';

/** Hooks on every call that do nothing, so the suites run the hooked path. */
function hooked<P extends object>(port: P): { port: P; calls: readonly string[] } {
  const spy = intercept(port);
  spy.before('*', async () => {});
  spy.after('*', () => {});
  return spy;
}

describeGitHubContract('InMemoryGitHub through the interceptor', async () => {
  const clock = new ManualClock();
  const backend = new InMemoryGitHub(clock);
  return { port: hooked<GitHubPort>(backend).port, world: backend, now: () => clock.now(), close: async () => {} };
});

describeEc2Contract('in-memory through the interceptor', async () => {
  const clock = new ManualClock();
  const ec2 = new InMemoryEc2(clock);
  return {
    ec2: hooked<Ec2Port>(ec2).port,
    advance: (ms) => clock.advance(ms),
    exhaustCapacity: (type) => ec2.exhaustCapacity(type),
    close: async () => {},
  };
});

describeSsmContract('in-memory through the interceptor', async () => ({
  ssm: hooked<SsmPort>(new InMemorySsm(new ManualClock())).port,
  close: async () => {},
}));

describeSqsContract('in-memory through the interceptor', async () => {
  const clock = new ManualClock();
  const sqs = new InMemorySqs(clock);
  sqs.createQueue(QUEUE_URL);
  return {
    sqs: hooked<SqsPort>(sqs).port,
    queueUrl: QUEUE_URL,
    missingQueueUrl: MISSING_QUEUE_URL,
    advance: (ms) => clock.advance(ms),
    close: async () => {},
  };
});

describe('intercept', () => {
  test('records every call by name, in order, and passes arguments and results through', async () => {
    // Prepare
    const ec2 = new InMemoryEc2(new ManualClock());
    const spy = intercept<Ec2Port>(ec2);
    // Act
    const { instanceIds } = await spy.port.createFleet(fleetRequest({ targetCapacity: 1 }));
    await spy.port.createTags(instanceIds, { k: 'v' });
    const listed = await spy.port.listInstances({ instanceIds });
    // Assess
    expect(spy.calls).toEqual(['createFleet', 'createTags', 'listInstances']);
    expect(listed.map((i) => i.tags['k'])).toEqual(['v']);
  });

  test('a call without hooks stays synchronous (Clock.now)', () => {
    // Prepare
    const spy = intercept<Clock>(new ManualClock(1_000));
    spy.after('sleep', () => {});
    // Act
    const now = spy.port.now();
    // Assess
    expect(now).toBe(1_000);
    expect(spy.calls).toEqual(['now']);
  });

  test('a before hook that throws refuses the call: the caller sees a rejection, the double is untouched', async () => {
    // Prepare
    const ssm = new InMemorySsm(new ManualClock());
    const spy = intercept<SsmPort>(ssm);
    spy.before('putParameter', ({ args: [request] }) => {
      if (request.name === '/limited') throw new RateLimitedError('ThrottlingException');
    });
    // Act
    const refused = spy.port.putParameter({ name: '/limited', value: 'v', type: 'String', overwrite: false });
    // Assess
    await expect(refused).rejects.toBeInstanceOf(RateLimitedError);
    await expect(ssm.getParameter('/limited')).rejects.toBeInstanceOf(NotFoundError);
    expect(spy.calls).toEqual(['putParameter']);
  });

  test('after hooks see the call took effect and run only on success; before hooks are awaited', async () => {
    // Prepare
    const ssm = new InMemorySsm(new ManualClock());
    const spy = intercept<SsmPort>(ssm);
    const seen: string[] = [];
    spy.before('*', async (call) => {
      await new Promise((resolve) => setImmediate(resolve));
      seen.push(`before ${call.name}`);
    });
    spy.after(['putParameter', 'deleteParameter'], async (call) => {
      seen.push(`after ${call.name}: ${(await ssm.listParameters('/')).length}`);
    });
    // Act
    await spy.port.putParameter({ name: '/a', value: 'v', type: 'String', overwrite: false });
    await expect(spy.port.deleteParameter('/missing')).rejects.toBeInstanceOf(NotFoundError);
    // Assess
    expect(seen).toEqual(['before putParameter', 'after putParameter: 1', 'before deleteParameter']);
  });

  test('an unhooked hook runs no more; other hooks stay', async () => {
    // Prepare
    const spy = intercept<Clock>(new ManualClock(0));
    const seen: string[] = [];
    const unhook = spy.after('sleep', () => {
      seen.push('first');
    });
    spy.after('sleep', () => {
      seen.push('second');
    });
    // Act
    await spy.port.sleep(1);
    unhook();
    await spy.port.sleep(1);
    // Assess
    expect(seen).toEqual(['first', 'second', 'second']);
  });
});
