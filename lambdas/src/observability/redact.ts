/**
 * Scrubs secrets from anything about to be logged. Two nets:
 * 1. Keys that name a secret (token, secret, private key, password, JIT config, authorization)
 *    have their values replaced, whatever they hold.
 * 2. Values registered at run time (the GitHub App key, installation tokens, JIT configs, the
 *    webhook secret) and well-known secret shapes (PEM blocks, GitHub tokens, JWTs) are cut out
 *    of every string, so a secret embedded in an error message is caught too.
 */
export const REDACTED = '[REDACTED]';

const SECRET_KEY = /(token|secret|private.?key|password|passphrase|jit.?config|authorization|credential|signature)/i;
const SECRET_SHAPES: readonly RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  /\bgh[opsur]_[A-Za-z0-9_]{16,}\b/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}\b/g,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g,
];
/** Shorter values would scrub innocent text (and are not secrets worth the name). */
const MIN_REGISTERED_LENGTH = 8;
/**
 * A warm container registers a JIT config per launched runner; keep the newest ones only.
 * The oldest entries are registrations long consumed, and the shape rules still catch tokens.
 */
const MAX_REGISTERED = 2_000;

export class SecretRegistry {
  private readonly values = new Set<string>();

  /** Registers a secret (and its base64 form) so every later log line is scrubbed of it. */
  register(value: string): void {
    if (value.length < MIN_REGISTERED_LENGTH) return;
    this.add(value);
    this.add(Buffer.from(value, 'utf8').toString('base64'));
    for (const line of value.split('\n')) if (line.trim().length >= 32) this.add(line.trim());
  }

  get size(): number {
    return this.values.size;
  }

  private add(value: string): void {
    // Re-adding moves a value to the newest end, so the long-lived app key is never evicted by churn.
    this.values.delete(value);
    this.values.add(value);
    if (this.values.size > MAX_REGISTERED) {
      const oldest = this.values.values().next().value;
      if (oldest !== undefined) this.values.delete(oldest);
    }
  }

  scrubString(text: string): string {
    let out = text;
    for (const shape of SECRET_SHAPES) out = out.replace(shape, REDACTED);
    for (const value of this.values) if (out.includes(value)) out = out.split(value).join(REDACTED);
    return out;
  }

  scrub(value: unknown, depth = 0): unknown {
    if (depth > 12) return '[TRUNCATED]';
    if (typeof value === 'string') return this.scrubString(value);
    if (Array.isArray(value)) return value.map((v) => this.scrub(v, depth + 1));
    if (value instanceof Error) {
      return { name: value.name, message: this.scrubString(value.message), stack: this.scrubString(value.stack ?? '') };
    }
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, inner] of Object.entries(value)) {
        out[key] =
          SECRET_KEY.test(key) && inner !== undefined && inner !== null ? REDACTED : this.scrub(inner, depth + 1);
      }
      return out;
    }
    return value;
  }
}

/** Process-wide: every logger of this process scrubs what any component registered. */
export const secrets = new SecretRegistry();
