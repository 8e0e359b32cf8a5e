/**
 * What an external autoscaler reads from the GitHub facade besides the body (issue 12 item 8):
 * `x-ratelimit-*` on every response, as GitHub sends them, and 401 bodies that say why.
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import { createSign } from 'node:crypto';
import { RateHeaders } from '../../../src/sim/facades/github/rate-headers.js';
import { ManualClock } from '../../../src/sim/memory/index.js';
import { CONTRACT_ORG } from '../../support/github-contract.js';
import { APP_ID, ORG_INSTALLATION, startStack, type Stack } from './stack.js';

const RATE_HEADERS = ['limit', 'remaining', 'used', 'reset', 'resource'].map((h) => `x-ratelimit-${h}`);

/** An RS256 JWT for `APP_ID`, its `iat` `offsetSeconds` from the stack's clock. */
function jwt(stack: Stack, offsetSeconds: number): string {
  const now = Math.floor(stack.clock.now() / 1000) + offsetSeconds;
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${part({ alg: 'RS256', typ: 'JWT' })}.${part({ iss: APP_ID, iat: now, exp: now + 540 })}`;
  const signature = createSign('RSA-SHA256').update(unsigned).sign(stack.privatePem).toString('base64url');
  return `${unsigned}.${signature}`;
}

describe('GitHub facade: headers and refusals', () => {
  let stack: Stack;
  afterEach(async () => {
    await stack.close();
  });

  test('every response carries the caller budget in x-ratelimit-*, one more used per call', async () => {
    // Prepare
    stack = await startStack();
    const { token } = stack.facade.auth.issueToken(APP_ID, ORG_INSTALLATION);
    const auth = { authorization: `token ${token}` };
    const runners = `${stack.apiUrl}/orgs/${CONTRACT_ORG}/actions/runners`;

    // Act: two successes, a 404 of the same owner, an unmatched path, a refusal
    const answers = [
      await fetch(runners, { headers: auth }),
      await fetch(runners, { headers: auth }),
      await fetch(`${runners}/999999`, { headers: auth }),
      await fetch(`${stack.apiUrl}/no/such/route`, { headers: auth }),
      await fetch(runners),
    ];

    // Assess
    expect(answers.map((a) => a.status)).toEqual([200, 200, 404, 404, 401]);
    for (const answer of answers) for (const header of RATE_HEADERS) expect(answer.headers.get(header)).not.toBeNull();
    const used = answers.slice(0, 3).map((a) => Number(a.headers.get('x-ratelimit-used')));
    expect(used).toEqual([1, 2, 3]);
    expect(Number(answers[1]!.headers.get('x-ratelimit-remaining'))).toBe(5_000 - 2);
    expect(Number(answers[0]!.headers.get('x-ratelimit-reset'))).toBeGreaterThan(stack.clock.now() / 1000);
    expect(answers[4]!.headers.get('x-ratelimit-limit')).toBe('60');
  });

  test('a refused credential is told why: no credential, a JWT issued in the future, an expired token', async () => {
    // Prepare
    stack = await startStack();
    const installations = `${stack.apiUrl}/app`;
    const { token } = stack.facade.auth.issueToken(APP_ID, ORG_INSTALLATION);
    stack.clock.advance(3_600_000 + 1);

    // Act
    const none = await fetch(installations);
    const future = await fetch(installations, { headers: { authorization: `Bearer ${jwt(stack, 3600)}` } });
    const valid = await fetch(installations, { headers: { authorization: `Bearer ${jwt(stack, 0)}` } });
    const expired = await fetch(`${stack.apiUrl}/orgs/${CONTRACT_ORG}/actions/runners`, {
      headers: { authorization: `token ${token}` },
    });

    // Assess
    expect([none.status, future.status, valid.status, expired.status]).toEqual([401, 401, 200, 401]);
    expect(await none.json()).toMatchObject({ message: 'Requires authentication' });
    expect(((await future.json()) as { message: string }).message).toMatch(/'iat'.*in the future/);
    expect(((await expired.json()) as { message: string }).message).toBe('Bad credentials (expired token)');
  });
});

test('a budget view (the world counters) is what the headers report', () => {
  const clock = new ManualClock(7_200_000);
  const headers = new RateHeaders(clock, (key) =>
    key === 'org:acme' ? { limit: 900, used: 899, resetMs: 10_800_000 } : undefined,
  );
  expect(headers.count('org:acme')).toEqual({
    'x-ratelimit-limit': '900',
    'x-ratelimit-remaining': '1',
    'x-ratelimit-used': '899',
    'x-ratelimit-reset': '10800',
    'x-ratelimit-resource': 'core',
  });
  expect(headers.count('app:1')['x-ratelimit-used']).toBe('1');
});
