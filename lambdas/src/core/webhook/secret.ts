import type { Clock, SsmPort } from '../../ports/index.js';
import { secrets, type SecretRegistry } from '../../observability/redact.js';

/**
 * The webhook secret, read from SSM (SecureString) and reused for `ttlMs`, so a burst of
 * deliveries costs one GetParameter (SSM throughput is per account) and a rotated secret is
 * picked up within the TTL. A failed read is not cached. The value is registered with the log
 * scrubber, so it cannot appear in a log line even inside an error message.
 */
export function webhookSecretSource(
  ssm: Pick<SsmPort, 'getParameter'>,
  clock: Clock,
  parameterName: string,
  ttlMs: number,
  registry: SecretRegistry = secrets,
): () => Promise<string> {
  let cached: { value: Promise<string>; expiresAtMs: number } | undefined;
  return () => {
    const now = clock.now();
    if (cached !== undefined && cached.expiresAtMs > now) return cached.value;
    const value = ssm.getParameter(parameterName).then((parameter) => {
      registry.register(parameter.value);
      return parameter.value;
    });
    const entry = { value, expiresAtMs: now + ttlMs };
    cached = entry;
    value.catch(() => {
      if (cached === entry) cached = undefined;
    });
    return value;
  };
}
