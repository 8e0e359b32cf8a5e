import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { GitHubConfig } from '../../config/schema.js';
import { ConfigError } from '../../errors.js';
import type { Clock } from '../../ports/clock.js';
import type { SsmPort } from '../../ports/ssm.js';
import { secrets } from '../../observability/redact.js';

/** The GitHub App's identity, as read from SSM. The key is a secret: never log it, never put it in a message. */
export interface AppCredentials {
  /** Numeric app id (or a client id `Iv…`): the JWT's `iss`. */
  readonly appId: string;
  readonly privateKey: KeyObject;
  /** Changes whenever the app id or the key read from SSM changes; lets callers drop clients built on old ones. */
  readonly generation: number;
}

export type CredentialsConfig = Pick<GitHubConfig, 'appIdParameter' | 'privateKeyParameter' | 'secretCacheSeconds'>;

/**
 * Reads the app id and the base64-encoded PEM private key from SSM and reuses them for
 * `secretCacheSeconds` (a rotated key is picked up after at most that long). Concurrent callers
 * share one read.
 */
export class AppCredentialsProvider {
  private cached: { readonly credentials: AppCredentials; readonly readAtMs: number; readonly raw: string } | undefined;
  private pending: Promise<AppCredentials> | undefined;
  private generation = 0;

  constructor(
    private readonly ssm: SsmPort,
    private readonly config: CredentialsConfig,
    private readonly clock: Clock,
  ) {}

  async get(): Promise<AppCredentials> {
    const cached = this.cached;
    if (cached && this.clock.now() - cached.readAtMs < this.config.secretCacheSeconds * 1000) return cached.credentials;
    this.pending ??= this.read().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async read(): Promise<AppCredentials> {
    const params = await this.ssm.getParameters([this.config.appIdParameter, this.config.privateKeyParameter]);
    const appIdValue = params.find((p) => p.name === this.config.appIdParameter)?.value;
    const keyValue = params.find((p) => p.name === this.config.privateKeyParameter)?.value;
    if (appIdValue === undefined)
      throw new ConfigError(`SSM parameter ${this.config.appIdParameter} (GitHub App id) not found`);
    if (keyValue === undefined) {
      throw new ConfigError(`SSM parameter ${this.config.privateKeyParameter} (GitHub App private key) not found`);
    }
    // Every log line of this process is scrubbed of the key, in either encoding, from now on.
    secrets.register(keyValue.trim());
    const appId = parseAppId(appIdValue, this.config.appIdParameter);
    const raw = `${appId}\n${keyValue}`;
    if (this.cached && this.cached.raw === raw) {
      // Same values: keep the generation so clients (and their installation tokens) survive the refresh.
      this.cached = { ...this.cached, readAtMs: this.clock.now() };
      return this.cached.credentials;
    }
    const privateKey = parsePrivateKey(keyValue, this.config.privateKeyParameter);
    this.generation += 1;
    const credentials: AppCredentials = { appId, privateKey, generation: this.generation };
    this.cached = { credentials, readAtMs: this.clock.now(), raw };
    return credentials;
  }
}

function parseAppId(value: string, parameter: string): string {
  const trimmed = value.trim();
  // App ids are numbers; GitHub also accepts the app's client id (`Iv1.…`, `Iv23…`) as the JWT issuer.
  if (/^[1-9]\d{0,18}$/.test(trimmed) || /^Iv[A-Za-z0-9.]{4,64}$/.test(trimmed)) return trimmed;
  throw new ConfigError(`SSM parameter ${parameter} does not hold a GitHub App id (expected digits or a client id)`);
}

/**
 * The module stores the PEM base64-encoded (one line, as upstream does); a raw PEM is accepted too.
 * The message never quotes the value.
 */
function parsePrivateKey(value: string, parameter: string): KeyObject {
  const trimmed = value.trim();
  const pem = trimmed.startsWith('-----BEGIN') ? trimmed : Buffer.from(trimmed, 'base64').toString('utf8').trim();
  if (pem.startsWith('-----BEGIN')) secrets.register(pem);
  const problem = `SSM parameter ${parameter} does not hold a base64-encoded PEM private key`;
  if (!pem.startsWith('-----BEGIN')) throw new ConfigError(problem);
  try {
    const key = createPrivateKey({ key: pem, format: 'pem' });
    if (key.asymmetricKeyType !== 'rsa') throw new ConfigError(`${problem} (GitHub App keys are RSA)`);
    return key;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(problem);
  }
}
