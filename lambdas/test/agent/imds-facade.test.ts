/** The IMDSv2 facade: tokens, identity, and the instance's tags (EC2 user guide, instance metadata). */
import { afterEach, describe, expect, test } from '@jest/globals';
import { ImdsFacade } from '../../src/sim/facades/imds/index.js';

let facade: ImdsFacade | undefined;

afterEach(async () => {
  await facade?.close();
  facade = undefined;
});

async function start(tags: Record<string, string>, now?: () => number): Promise<string> {
  facade = new ImdsFacade({ instanceId: 'i-0abc', region: 'eu-west-1', tags: () => tags, ...(now ? { now } : {}) });
  return facade.start();
}

async function token(url: string, ttl = '60'): Promise<string> {
  const response = await fetch(`${url}/latest/api/token`, {
    method: 'PUT',
    headers: { 'x-aws-ec2-metadata-token-ttl-seconds': ttl },
  });
  expect(response.status).toBe(200);
  return response.text();
}

async function get(url: string, path: string, tokenValue?: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`${url}${path}`, {
    headers: tokenValue === undefined ? {} : { 'x-aws-ec2-metadata-token': tokenValue },
  });
  return { status: response.status, body: await response.text() };
}

describe('ImdsFacade', () => {
  test('answers identity and tags with a token', async () => {
    // Prepare
    const url = await start({ 'ghr:lifecycle': 'retiring@1700000000000', 'ghr:pool': 'linux' });
    const t = await token(url);

    // Act
    const [id, region, keys, lifecycle] = await Promise.all([
      get(url, '/latest/meta-data/instance-id', t),
      get(url, '/latest/meta-data/placement/region', t),
      get(url, '/latest/meta-data/tags/instance', t),
      get(url, '/latest/meta-data/tags/instance/ghr:lifecycle', t),
    ]);

    // Assess
    expect(id).toEqual({ status: 200, body: 'i-0abc' });
    expect(region).toEqual({ status: 200, body: 'eu-west-1' });
    expect(keys).toEqual({ status: 200, body: 'ghr:lifecycle\nghr:pool' });
    expect(lifecycle).toEqual({ status: 200, body: 'retiring@1700000000000' });
  });

  test('an unknown tag key or path is 404', async () => {
    const url = await start({});
    const t = await token(url);

    const [tag, path] = await Promise.all([
      get(url, '/latest/meta-data/tags/instance/ghr:lifecycle', t),
      get(url, '/latest/meta-data/nothing-here', t),
    ]);

    expect(tag.status).toBe(404);
    expect(path.status).toBe(404);
  });

  test('refuses GETs without a valid token (IMDSv1 is off) and tokens without a sane TTL', async () => {
    const url = await start({});

    const [none, wrong, noTtl, hugeTtl] = await Promise.all([
      get(url, '/latest/meta-data/instance-id'),
      get(url, '/latest/meta-data/instance-id', 'not-a-token'),
      fetch(`${url}/latest/api/token`, { method: 'PUT' }),
      fetch(`${url}/latest/api/token`, { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '21601' } }),
    ]);

    expect(none.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(noTtl.status).toBe(400);
    expect(hugeTtl.status).toBe(400);
  });

  test('a token expires after its TTL', async () => {
    let nowMs = 1_000_000;
    const url = await start({}, () => nowMs);
    const t = await token(url, '10');

    const before = await get(url, '/latest/meta-data/instance-id', t);
    nowMs += 10_000;
    const after = await get(url, '/latest/meta-data/instance-id', t);

    expect(before.status).toBe(200);
    expect(after.status).toBe(401);
  });

  test('reads tags at request time from the injected source', async () => {
    const tags: Record<string, string> = {};
    const url = await start(tags);
    const t = await token(url);

    const before = await get(url, '/latest/meta-data/tags/instance/ghr:runner-config', t);
    tags['ghr:runner-config'] = 'ready@42';
    const after = await get(url, '/latest/meta-data/tags/instance/ghr:runner-config', t);

    expect(before.status).toBe(404);
    expect(after).toEqual({ status: 200, body: 'ready@42' });
  });
});
