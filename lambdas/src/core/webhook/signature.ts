import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body with the webhook secret>`
 * (GitHub docs, "Validating webhook deliveries"). The HMAC is computed over the bytes GitHub
 * sent, never over re-serialised JSON, and compared in constant time. `timingSafeEqual`
 * throws on unequal lengths, so the header is first checked for the exact shape (64 hex
 * digits), which makes both buffers 32 bytes; the shape check leaks only the shape.
 */
const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;

export function signBody(body: Buffer | string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function verifySignature(body: Buffer, header: string | undefined, secret: string): boolean {
  if (header === undefined || secret.length === 0) return false;
  const match = SIGNATURE.exec(header.trim());
  if (!match?.[1]) return false;
  const given = Buffer.from(match[1], 'hex');
  const expected = createHmac('sha256', secret).update(body).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}
