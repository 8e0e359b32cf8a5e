import { describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { REDACTED, SecretRegistry } from '../../src/observability/redact.js';

const pem = generateKeyPairSync('rsa', { modulusLength: 1024 })
  .privateKey.export({ type: 'pkcs1', format: 'pem' })
  .toString();

describe('SecretRegistry', () => {
  it('removes registered values and their base64 form from nested strings', () => {
    // Prepare
    const registry = new SecretRegistry();
    registry.register('s3cr3t-webhook-value');

    // Act
    const out = JSON.stringify(
      registry.scrub({
        a: ['x s3cr3t-webhook-value y'],
        b: { c: Buffer.from('s3cr3t-webhook-value').toString('base64') },
      }),
    );

    // Assess
    expect(out).not.toContain('s3cr3t-webhook-value');
    expect(out).not.toContain(Buffer.from('s3cr3t-webhook-value').toString('base64'));
  });

  it('removes PEM keys, GitHub tokens and JWTs even when nobody registered them', () => {
    const registry = new SecretRegistry();
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiIxMjMifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    const text = String(registry.scrub(`key ${pem} token ghs_abcdefghijklmnopqrstuvwx jwt ${jwt}`));
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain('ghs_abcdefghijklmnopqrstuvwx');
    expect(text).not.toContain(jwt);
    expect(text.split(REDACTED)).toHaveLength(4);
  });

  it('blanks values under keys that name a secret, and keeps the rest', () => {
    const registry = new SecretRegistry();
    expect(
      registry.scrub({ token: 'short', encodedJitConfig: 'abc', privateKey: 'k', runnerId: 42, name: 'i-1' }),
    ).toEqual({
      token: REDACTED,
      encodedJitConfig: REDACTED,
      privateKey: REDACTED,
      runnerId: 42,
      name: 'i-1',
    });
  });

  it('scrubs error messages and stacks', () => {
    const registry = new SecretRegistry();
    registry.register('installation-token-123456');
    const scrubbed = registry.scrub(new Error('request with installation-token-123456 failed'));
    expect(JSON.stringify(scrubbed)).not.toContain('installation-token-123456');
  });
});

describe('SecretRegistry bounds', () => {
  it('keeps memory bounded under a stream of JIT configs and still scrubs the newest', () => {
    const registry = new SecretRegistry();
    for (let i = 0; i < 5_000; i++) registry.register(`jit-config-number-${i}-abcdefgh`);
    expect(registry.size).toBeLessThanOrEqual(2_000);
    expect(registry.scrubString('x jit-config-number-4999-abcdefgh y')).toBe(`x ${REDACTED} y`);
  });
});
