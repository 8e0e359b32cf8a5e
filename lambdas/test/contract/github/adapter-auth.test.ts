import { createPrivateKey } from 'node:crypto';
import { afterEach, describe, expect, test } from '@jest/globals';
import { signAppJwt } from '../../../src/adapters/github/jwt.js';
import { ConfigError, PermanentError } from '../../../src/errors.js';
import type { RunnerOwner } from '../../../src/ports/github.js';
import { CONTRACT_ORG, CONTRACT_REPO } from '../../support/github-contract.js';
import { APP_ID, KEY_PARAMETER, ORG_INSTALLATION, rsaKeyPair, startStack, type Stack } from './stack.js';

const org: RunnerOwner = { kind: 'org', org: CONTRACT_ORG };
const repo: RunnerOwner = { kind: 'repo', owner: CONTRACT_REPO.owner, repo: CONTRACT_REPO.repo };

describe('Octokit adapter: GitHub App authentication against the facade', () => {
  let stack: Stack;
  afterEach(async () => {
    await stack.close();
  });

  test('looks the installation up with the app JWT, then calls with an installation token', async () => {
    // Prepare
    stack = await startStack();
    // Act
    await stack.adapter.listRunners(org);
    // Assess
    expect(stack.facade.requests.map((r) => [r.endpoint, r.auth, r.status])).toEqual([
      ['GET /orgs/{org}/installation', 'jwt', 200],
      ['POST /app/installations/{installation_id}/access_tokens', 'jwt', 201],
      ['GET /orgs/{org}/actions/runners', 'installation', 200],
    ]);
  });

  test('the repository installation is looked up on the repository', async () => {
    stack = await startStack();
    await stack.adapter.listRunners(repo);
    expect(stack.facade.requests[0]).toMatchObject({ endpoint: 'GET /repos/{owner}/{repo}/installation', auth: 'jwt' });
  });

  test('installation look-up and token are cached across calls', async () => {
    // Prepare
    stack = await startStack();
    // Act
    await stack.adapter.listRunners(org);
    await stack.adapter.getRunner(org, 1).catch(() => undefined);
    await stack.adapter.listRunnerGroups(CONTRACT_ORG);
    // Assess
    const calls = stack.facade.calls();
    expect(calls['GET /orgs/{org}/installation']).toBe(1);
    expect(calls['POST /app/installations/{installation_id}/access_tokens']).toBe(1);
    expect(stack.facade.requests.filter((r) => r.auth === 'installation')).toHaveLength(3);
  });

  test('configured installation ids skip the look-up', async () => {
    stack = await startStack({ config: { installationIds: { [CONTRACT_ORG]: ORG_INSTALLATION } } });
    await stack.adapter.listRunners(org);
    expect(stack.facade.calls()['GET /orgs/{org}/installation']).toBeUndefined();
    expect(stack.facade.calls()['POST /app/installations/{installation_id}/access_tokens']).toBe(1);
  });

  test('GHES: every request goes under /api/v3', async () => {
    stack = await startStack({ ghes: true });
    await stack.adapter.listRunners(org);
    expect(stack.facade.requests).toHaveLength(3);
    expect(stack.facade.requests.every((r) => r.ghes)).toBe(true);
  });

  test('a JWT signed with the wrong key is refused (401) and becomes a PermanentError', async () => {
    // Prepare
    stack = await startStack();
    await stack.ssm.set(KEY_PARAMETER, Buffer.from(rsaKeyPair().privatePem).toString('base64'));
    // Act
    const result = stack.adapter.listRunners(org);
    // Assess
    await expect(result).rejects.toBeInstanceOf(PermanentError);
    expect(stack.facade.requests).toEqual([
      expect.objectContaining({ endpoint: 'GET /orgs/{org}/installation', auth: 'invalid', status: 401 }),
    ]);
  });

  test('the facade refuses runner calls without an installation token, and with a JWT', async () => {
    // Prepare
    stack = await startStack();
    const url = `${stack.apiUrl}/orgs/${CONTRACT_ORG}/actions/runners`;
    // Act
    const anonymous = await fetch(url);
    const withBogus = await fetch(url, { headers: { authorization: 'token ghs_notissuedbythisfacade000000000000' } });
    const { jwt } = signAppJwt(APP_ID, createPrivateKey(stack.privatePem), stack.clock.now());
    const withJwt = await fetch(url, { headers: { authorization: `Bearer ${jwt}` } });
    // Assess
    expect([anonymous.status, withBogus.status, withJwt.status]).toEqual([401, 401, 401]);
    expect(stack.facade.requests.map((r) => r.auth)).toEqual(['none', 'invalid', 'jwt']);
  });

  test('the facade refuses an expired JWT and one from an unknown app', async () => {
    // Prepare
    stack = await startStack();
    const key = createPrivateKey(stack.privatePem);
    const url = `${stack.apiUrl}/orgs/${CONTRACT_ORG}/installation`;
    const call = (jwt: string) => fetch(url, { headers: { authorization: `Bearer ${jwt}` } });
    // Act
    const valid = await call(signAppJwt(APP_ID, key, stack.clock.now()).jwt);
    const expired = await call(signAppJwt(APP_ID, key, stack.clock.now() - 11 * 60_000).jwt);
    const stranger = await call(signAppJwt('999', key, stack.clock.now()).jwt);
    // Assess
    expect(valid.status).toBe(200);
    expect(await valid.json()).toMatchObject({ id: ORG_INSTALLATION, account: { login: CONTRACT_ORG } });
    expect([expired.status, stranger.status]).toEqual([401, 401]);
  });

  test('an installation token only reaches the owners its installation covers', async () => {
    // Prepare: the org's installation does not cover octo/widgets.
    stack = await startStack({
      config: { installationIds: { [`${CONTRACT_REPO.owner}/${CONTRACT_REPO.repo}`]: ORG_INSTALLATION } },
    });
    // Act
    const result = stack.adapter.listRunners(repo);
    // Assess
    await expect(result).rejects.toBeInstanceOf(PermanentError);
    expect(stack.facade.requests.at(-1)).toMatchObject({ auth: 'installation', status: 403 });
  });

  test('installation tokens expire after an hour on the facade clock', async () => {
    // Prepare
    stack = await startStack();
    const jwtClient = stack.facade.auth;
    const { token } = jwtClient.issueToken(APP_ID, ORG_INSTALLATION);
    const url = `${stack.apiUrl}/orgs/${CONTRACT_ORG}/actions/runners`;
    const headers = { authorization: `Bearer ${token}` };
    // Act
    const fresh = await fetch(url, { headers });
    stack.clock.advance(3_600_000);
    const stale = await fetch(url, { headers });
    // Assess
    expect(fresh.status).toBe(200);
    expect(stale.status).toBe(401);
  });

  test('credentials are read once per TTL and re-read after it', async () => {
    // Prepare
    stack = await startStack({ config: { secretCacheSeconds: 300 } });
    // Act
    await stack.adapter.listRunners(org);
    stack.clock.advance(299_000);
    await stack.adapter.listRunners(org);
    const readsWithinTtl = stack.ssm.reads();
    stack.clock.advance(2_000);
    await stack.adapter.listRunners(org);
    // Assess
    expect(readsWithinTtl).toBe(1);
    expect(stack.ssm.reads()).toBe(2);
    // Same values: clients and their installation token survive the re-read.
    expect(stack.facade.calls()['POST /app/installations/{installation_id}/access_tokens']).toBe(1);
  });

  test('a rotated key is picked up after the TTL, with a fresh installation token', async () => {
    // Prepare
    stack = await startStack({ config: { secretCacheSeconds: 60 } });
    await stack.adapter.listRunners(org);
    const rotated = rsaKeyPair();
    stack.directory.addApp(APP_ID, rotated.publicKey);
    await stack.ssm.set(KEY_PARAMETER, Buffer.from(rotated.privatePem).toString('base64'));
    // Act
    stack.clock.advance(61_000);
    await stack.adapter.listRunners(org);
    // Assess
    expect(stack.facade.calls()['POST /app/installations/{installation_id}/access_tokens']).toBe(2);
    expect(stack.facade.requests.filter((r) => r.status >= 400)).toEqual([]);
  });

  test('the installation token is renewed before it expires on the injected clock', async () => {
    // Prepare
    stack = await startStack();
    await stack.adapter.listRunners(org);
    // Act
    stack.clock.advance(58 * 60_000);
    await stack.adapter.listRunners(org);
    const tokensBefore = stack.facade.calls()['POST /app/installations/{installation_id}/access_tokens'];
    stack.clock.advance(60_000);
    await stack.adapter.listRunners(org);
    // Assess
    expect(tokensBefore).toBe(1);
    expect(stack.facade.calls()['POST /app/installations/{installation_id}/access_tokens']).toBe(2);
    expect(stack.facade.requests.filter((r) => r.status >= 400)).toEqual([]);
  });

  test('a missing or malformed key is a ConfigError naming the parameter, not the value', async () => {
    // Prepare
    stack = await startStack();
    await stack.ssm.set(KEY_PARAMETER, 'bm90IGEga2V5');
    // Act
    const error = await stack.adapter.listRunners(org).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error)).toContain(KEY_PARAMETER);
    expect(String(error)).not.toContain('bm90IGEga2V5');
    expect(stack.facade.requests).toEqual([]);
  });
});
