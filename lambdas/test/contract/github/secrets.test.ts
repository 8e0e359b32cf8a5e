import { afterEach, describe, expect, test } from '@jest/globals';
import { TransientError } from '../../../src/errors.js';
import type { Log } from '../../../src/observability/types.js';
import type { RunnerOwner } from '../../../src/ports/github.js';
import { primaryRateLimit, secondaryRateLimit } from '../../../src/sim/facades/github/index.js';
import { CONTRACT_ORG } from '../../support/github-contract.js';
import { KEY_PARAMETER, rsaKeyPair, startStack, type Stack } from './stack.js';

const org: RunnerOwner = { kind: 'org', org: CONTRACT_ORG };

/** A Log that keeps every line, attributes serialised, as a JSON logger would print them. */
function capturingLog(lines: string[]): Log {
  const keep = (level: string) => (message: string, attributes?: Record<string, unknown>) =>
    lines.push(JSON.stringify({ level, message, ...attributes }));
  return { debug: keep('debug'), info: keep('info'), warn: keep('warn'), error: keep('error') };
}

/** The transport seam: records every Authorization credential the adapter sends. */
function spyingFetch(credentials: Set<string>): typeof fetch {
  return async (input, init) => {
    const headers = new Headers(init?.headers);
    const value = headers.get('authorization');
    if (value) credentials.add(value.replace(/^\S+\s+/, ''));
    return fetch(input, init);
  };
}

describe('Octokit adapter: secrets never reach error messages or logs', () => {
  let stack: Stack;
  afterEach(async () => {
    await stack.close();
  });

  test('no error or log line contains the private key, the JWT, a token or a JIT config', async () => {
    // Prepare
    const lines: string[] = [];
    const sent = new Set<string>();
    const settings = {
      fetch: spyingFetch(sent),
      throttle: { retryAfterBaseValue: 1, maxRetries: 1 },
      retry: { retries: 1, retryAfterBaseValue: 1 },
    };
    stack = await startStack({ log: capturingLog(lines), settings });
    const errors: unknown[] = [];
    const attempt = (p: Promise<unknown>) => p.then(undefined, (e: unknown) => errors.push(e));

    // Act: successes that carry secrets, then every kind of failure.
    const jit = await stack.adapter.generateJitConfig(org, { name: 'r', labels: ['l'], runnerGroupId: 1 });
    const registration = await stack.adapter.createRegistrationToken(org);
    stack.backend.setBusy(jit.runnerId, true);
    await attempt(stack.adapter.deleteRunner(org, jit.runnerId));
    await attempt(stack.adapter.getRunner(org, 999));
    await attempt(stack.adapter.generateJitConfig(org, { name: 'r', labels: ['l'], runnerGroupId: 1 }));
    stack.backend.failNext('listRunners', primaryRateLimit(stack.clock.now() + 1_000), 2);
    await attempt(stack.adapter.listRunners(org));
    stack.backend.failNext('listRunners', secondaryRateLimit(stack.clock.now() + 1_000), 2);
    await attempt(stack.adapter.listRunners(org));
    stack.backend.failNext('listRunners', new TransientError('down'), 2);
    await attempt(stack.adapter.listRunners(org));
    const stranger = stack.adapterWith({ settings: { ...settings, log: capturingLog(lines) } });
    const strangerPem = rsaKeyPair().privatePem;
    await stack.ssm.set(KEY_PARAMETER, Buffer.from(strangerPem).toString('base64'));
    stack.clock.advance(301_000);
    await attempt(stranger.listRunners(org));
    const brokenKey = Buffer.from('-----BEGIN RSA PRIVATE KEY-----\nAAAAsecretish\n').toString('base64');
    await stack.ssm.set(KEY_PARAMETER, brokenKey);
    stack.clock.advance(301_000);
    await attempt(stack.adapter.listRunners(org));

    // Assess
    const secrets = [
      ...sent,
      ...[stack.privatePem, strangerPem].flatMap((pem) => [
        pem,
        Buffer.from(pem).toString('base64'),
        ...pem.split('\n').filter((l) => l.length > 40),
      ]),
      brokenKey,
      'AAAAsecretish',
      jit.encodedJitConfig,
      registration.token,
    ];
    expect(sent.size).toBeGreaterThanOrEqual(3); // at least one JWT and two installation tokens
    expect(errors.length).toBe(8);
    expect(lines.some((l) => l.includes('rate limited'))).toBe(true);
    const texts = [
      ...lines,
      ...errors.flatMap((e) => [String(e), JSON.stringify(e), e instanceof Error ? String(e.stack) : '']),
    ];
    for (const secret of secrets) {
      for (const text of texts) expect(text.includes(secret)).toBe(false);
    }
  });
});
