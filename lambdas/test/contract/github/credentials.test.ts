import { describe, expect, test } from '@jest/globals';
import { AppCredentialsProvider } from '../../../src/adapters/github/index.js';
import { ConfigError } from '../../../src/errors.js';
import { APP_ID_PARAMETER, KEY_PARAMETER, ManualClock, rsaKeyPair, secretStore } from './stack.js';

const config = { appIdParameter: APP_ID_PARAMETER, privateKeyParameter: KEY_PARAMETER, secretCacheSeconds: 300 };

async function provider(appId: string | undefined, key: string | undefined) {
  const clock = new ManualClock();
  const ssm = secretStore(clock);
  if (appId !== undefined) await ssm.set(APP_ID_PARAMETER, appId);
  if (key !== undefined) await ssm.set(KEY_PARAMETER, key);
  return { ssm, credentials: new AppCredentialsProvider(ssm.port, config, clock) };
}

describe('AppCredentialsProvider', () => {
  const { privatePem } = rsaKeyPair();

  test('accepts the key base64-encoded (as stored by the module) or as raw PEM', async () => {
    const encoded = await (await provider(' 123\n', Buffer.from(privatePem).toString('base64'))).credentials.get();
    const raw = await (await provider('123', privatePem)).credentials.get();
    expect(encoded.appId).toBe('123');
    expect(encoded.privateKey.asymmetricKeyType).toBe('rsa');
    expect(raw.privateKey.asymmetricKeyType).toBe('rsa');
  });

  test('concurrent callers share one SSM read', async () => {
    const { ssm, credentials } = await provider('123', privatePem);
    const [a, b] = await Promise.all([credentials.get(), credentials.get()]);
    expect(a).toBe(b);
    expect(ssm.reads()).toBe(1);
  });

  test.each([
    ['a missing app id', undefined, 'pem', APP_ID_PARAMETER],
    ['a missing key', '123', undefined, KEY_PARAMETER],
    ['an app id that is not one', 'twelve', 'pem', APP_ID_PARAMETER],
    ['a key that is not PEM', '123', Buffer.from('hello').toString('base64'), KEY_PARAMETER],
  ])('%s is a ConfigError naming the parameter', async (_case, appId, key, parameter) => {
    const { credentials } = await provider(appId, key === 'pem' ? privatePem : key);
    const error = await credentials.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error)).toContain(parameter);
  });

  test('a failed read is not cached', async () => {
    const { ssm, credentials } = await provider('123', undefined);
    await expect(credentials.get()).rejects.toBeInstanceOf(ConfigError);
    await ssm.set(KEY_PARAMETER, privatePem);
    await expect(credentials.get()).resolves.toMatchObject({ appId: '123' });
  });
});
