import { describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { signBody, verifySignature } from '../../src/core/webhook/signature.js';

const secret = "It's a Secret to Everybody";
// GitHub docs, "Validating webhook deliveries": test values for the reference implementation.
const docsBody = 'Hello, World!';
const docsSignature = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

describe('verifySignature', () => {
  it('accepts the example from the GitHub documentation', () => {
    expect(signBody(docsBody, secret)).toBe(docsSignature);
    expect(verifySignature(Buffer.from(docsBody), docsSignature, secret)).toBe(true);
  });

  it('accepts upper-case hex and surrounding whitespace', () => {
    expect(verifySignature(Buffer.from(docsBody), ` sha256=${docsSignature.slice(7).toUpperCase()} `, secret)).toBe(
      true,
    );
  });

  it('is computed over the raw bytes, not re-serialised JSON', () => {
    const raw = '{"a": 1}';
    const reserialised = JSON.stringify(JSON.parse(raw));
    expect(verifySignature(Buffer.from(reserialised), signBody(raw, secret), secret)).toBe(false);
  });

  it.each([
    ['a tampered body', 'Hello, World?', docsSignature],
    ['another secret', docsBody, signBody(docsBody, 'another secret')],
    ['a sha1 signature', docsBody, `sha1=${createHmac('sha1', secret).update(docsBody).digest('hex')}`],
    ['a truncated digest', docsBody, docsSignature.slice(0, -2)],
    ['a longer digest', docsBody, `${docsSignature}00`],
    ['non-hex digits', docsBody, `sha256=${'z'.repeat(64)}`],
    ['no prefix', docsBody, docsSignature.slice(7)],
    ['an empty header', docsBody, ''],
  ])('refuses %s', (_name, body, header) => {
    expect(verifySignature(Buffer.from(body), header, secret)).toBe(false);
  });

  it('refuses when there is no header or no secret', () => {
    expect(verifySignature(Buffer.from(docsBody), undefined, secret)).toBe(false);
    expect(verifySignature(Buffer.from(docsBody), signBody(docsBody, ''), '')).toBe(false);
  });
});
