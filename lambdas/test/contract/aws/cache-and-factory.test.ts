/** cachedSsm, and the client factory's endpoint / requestHandler plumbing. */
import { afterEach, describe, expect, test } from '@jest/globals';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createAwsClients, createAwsPorts } from '../../../src/adapters/aws/index.js';
import { cachedSsm } from '../../../src/adapters/aws/ssm-cache.js';
import { NotFoundError, TransientError } from '../../../src/errors.js';
import type { SsmPort } from '../../../src/ports/index.js';
import { Ec2Facade, SsmFacade } from '../../../src/sim/facades/aws/index.js';
import { InMemoryEc2, InMemorySsm, ManualClock } from '../../../src/sim/memory/index.js';
import { fleetRequest } from '../../support/ec2-contract.js';
import { sdkOptions } from './harness.js';

/** Counts the backend calls a cache lets through. */
function counted(inner: SsmPort): SsmPort & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    getParameter: (n) => (calls.push(`get ${n}`), inner.getParameter(n)),
    getParameters: (ns) => (calls.push(`getMany ${ns.join(',')}`), inner.getParameters(ns)),
    putParameter: (r) => (calls.push(`put ${r.name}`), inner.putParameter(r)),
    deleteParameter: (n) => (calls.push(`delete ${n}`), inner.deleteParameter(n)),
    listParameters: (p) => (calls.push(`list ${p}`), inner.listParameters(p)),
  };
}

describe('cachedSsm', () => {
  test('reads are served from the cache until the TTL passes', async () => {
    // Prepare
    const clock = new ManualClock();
    const backend = counted(new InMemorySsm(clock));
    await backend.putParameter({ name: '/app/key', value: 'v1', type: 'SecureString', overwrite: false });
    const ssm = cachedSsm(backend, clock, 60_000);
    // Act
    const first = await ssm.getParameter('/app/key');
    clock.advance(59_999);
    const second = await ssm.getParameter('/app/key');
    clock.advance(1);
    await ssm.getParameter('/app/key');
    // Assess
    expect(second).toEqual(first);
    expect(backend.calls).toEqual(['put /app/key', 'get /app/key', 'get /app/key']);
  });

  test('a write through the cache drops the entry; failures are not cached', async () => {
    // Prepare
    const clock = new ManualClock();
    const backend = counted(new InMemorySsm(clock));
    const ssm = cachedSsm(backend, clock, 60_000);
    // Act
    await expect(ssm.getParameter('/k')).rejects.toBeInstanceOf(NotFoundError);
    await ssm.putParameter({ name: '/k', value: 'a', type: 'String', overwrite: false });
    const afterPut = await ssm.getParameter('/k');
    await ssm.putParameter({ name: '/k', value: 'b', type: 'String', overwrite: true });
    const afterOverwrite = await ssm.getParameter('/k');
    // Assess
    expect(afterPut.value).toBe('a');
    expect(afterOverwrite.value).toBe('b');
    expect(backend.calls.filter((c) => c === 'get /k')).toHaveLength(3);
  });

  test('getParameters asks only for names not cached; by-path reads are cached per path', async () => {
    // Prepare
    const clock = new ManualClock();
    const backend = counted(new InMemorySsm(clock));
    for (const name of ['/a/1', '/a/2', '/a/3']) {
      await backend.putParameter({ name, value: name, type: 'String', overwrite: false });
    }
    const ssm = cachedSsm(backend, clock, 60_000);
    await ssm.getParameter('/a/1');
    // Act
    const many = await ssm.getParameters(['/a/1', '/a/2', '/a/3', '/a/none']);
    await ssm.getParameters(['/a/2', '/a/3']);
    await ssm.listParameters('/a');
    await ssm.listParameters('/a');
    // Assess: values are cached; listings are not (housekeeping must see what is there now)
    expect(many.map((p) => p.name)).toEqual(['/a/1', '/a/2', '/a/3']);
    expect(backend.calls.slice(3)).toEqual(['get /a/1', 'getMany /a/2,/a/3,/a/none', 'list /a', 'list /a']);
  });

  test('concurrent reads share one request, and a failed one is retried next time', async () => {
    // Prepare
    const clock = new ManualClock();
    const inner = new InMemorySsm(clock);
    await inner.putParameter({ name: '/k', value: 'v', type: 'String', overwrite: false });
    let fail = true;
    const calls: string[] = [];
    const flaky: SsmPort = {
      ...counted(inner),
      getParameter: (n) => {
        calls.push(n);
        return fail ? Promise.reject(new TransientError('blip')) : inner.getParameter(n);
      },
    };
    const ssm = cachedSsm(flaky, clock, 60_000);
    // Act
    const both = await Promise.allSettled([ssm.getParameter('/k'), ssm.getParameter('/k')]);
    fail = false;
    const later = await ssm.getParameter('/k');
    // Assess
    expect(both.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(later.value).toBe('v');
    expect(calls).toEqual(['/k', '/k']);
  });
});

describe('client factory', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  test('per-service endpoints and a custom request handler reach the facades', async () => {
    // Prepare
    const clock = new ManualClock();
    const ec2Backend = new InMemoryEc2(clock);
    await ec2Backend.createFleet(fleetRequest({ targetCapacity: 3 }));
    const ec2Facade = new Ec2Facade(ec2Backend);
    const ssmFacade = new SsmFacade(new InMemorySsm(clock));
    const [ec2Url, ssmUrl] = [await ec2Facade.start(), await ssmFacade.start()];
    let sent = 0;
    class CountingHandler extends NodeHttpHandler {
      override handle(...args: Parameters<NodeHttpHandler['handle']>) {
        sent += 1;
        return super.handle(...args);
      }
    }
    const handler = new CountingHandler();
    const options = {
      ...sdkOptions('http://127.0.0.1:9'),
      endpoints: { ec2: ec2Url, ssm: ssmUrl },
      requestHandler: handler,
    };
    const clients = createAwsClients(options);
    cleanups.push(async () => {
      clients.ec2.destroy();
      clients.ssm.destroy();
      clients.sqs.destroy();
      handler.destroy();
      await ec2Facade.close();
      await ssmFacade.close();
    });
    const ports = createAwsPorts(options);
    // Act
    const listed = await ports.ec2.listInstances({});
    await ports.ssm.putParameter({ name: '/x', value: 'y', type: 'String', overwrite: false });
    // Assess
    expect(listed).toHaveLength(3);
    expect(sent).toBe(2);
    expect(ec2Facade.calls()).toEqual({ DescribeInstances: 1 });
    expect(ssmFacade.calls()).toEqual({ PutParameter: 1 });
  });
});
