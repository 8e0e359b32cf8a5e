import { describe, expect, it } from '@jest/globals';
import { header, isJsonContentType, rawBody } from '../../src/core/webhook/http.js';
import { webhookSecretSource } from '../../src/core/webhook/secret.js';
import { TransientError } from '../../src/errors.js';
import { SecretRegistry } from '../../src/observability/redact.js';
import { ManualClock } from '../../src/sim/memory/clock.js';

describe('rawBody', () => {
  it('decodes base64 bodies and measures the decoded bytes', () => {
    const text = 'é'.repeat(10); // 20 bytes in UTF-8
    const result = rawBody({ body: Buffer.from(text).toString('base64'), isBase64Encoded: true }, 20);
    expect(result).toEqual({ ok: true, bytes: Buffer.from(text) });
    expect(rawBody({ body: Buffer.from(text).toString('base64'), isBase64Encoded: true }, 19)).toEqual({
      ok: false,
      reason: 'body_too_large',
    });
  });

  it('measures text bodies in UTF-8 bytes, not characters', () => {
    expect(rawBody({ body: 'é'.repeat(10) }, 19)).toEqual({ ok: false, reason: 'body_too_large' });
    expect(rawBody({ body: 'é'.repeat(10) }, 20)).toMatchObject({ ok: true });
  });

  it('refuses a missing body, and a base64 body that decodes to nothing', () => {
    expect(rawBody({}, 10)).toEqual({ ok: false, reason: 'missing_body' });
    expect(rawBody({ body: null }, 10)).toEqual({ ok: false, reason: 'missing_body' });
    expect(rawBody({ body: '!!!!', isBase64Encoded: true }, 10)).toEqual({ ok: false, reason: 'missing_body' });
  });
});

describe('headers', () => {
  it('finds header names case-insensitively', () => {
    expect(header({ headers: { 'X-Hub-Signature-256': 'sha256=1' } }, 'x-hub-signature-256')).toBe('sha256=1');
    expect(header({ headers: null }, 'content-type')).toBeUndefined();
  });

  it.each([
    ['application/json', true],
    ['Application/JSON; charset=utf-8', true],
    ['application/x-www-form-urlencoded', false],
    ['application/json-patch+json', false],
    ['', false],
    [undefined, false],
  ])('content type %j is JSON: %s', (value, expected) => {
    expect(isJsonContentType(value)).toBe(expected);
  });
});

describe('webhookSecretSource', () => {
  it('reads once per TTL, does not cache failures, and registers the secret for scrubbing', async () => {
    // Prepare
    const clock = new ManualClock(0);
    const registry = new SecretRegistry();
    let reads = 0;
    let fail = true;
    const ssm = {
      getParameter: async (name: string) => {
        reads += 1;
        if (fail) throw new TransientError('SSM 500');
        return { name, value: 'the-webhook-secret', version: 1, lastModifiedMs: 0 };
      },
    };
    const secret = webhookSecretSource(ssm, clock, '/s', 60_000, registry);
    // Act
    await expect(secret()).rejects.toThrow('SSM 500');
    fail = false;
    const values = [await secret(), await secret()];
    clock.advance(60_000);
    values.push(await secret());
    // Assess
    expect(values).toEqual(['the-webhook-secret', 'the-webhook-secret', 'the-webhook-secret']);
    expect(reads).toBe(3);
    expect(registry.scrubString('x the-webhook-secret')).toBe('x [REDACTED]');
  });
});
