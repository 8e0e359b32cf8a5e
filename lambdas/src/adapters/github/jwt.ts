import { sign, type KeyObject } from 'node:crypto';

/**
 * The GitHub App JWT (RS256), signed here rather than by @octokit/auth-app so its clock is the
 * injected `Clock`: the simulator's virtual time then governs `iat`/`exp` like everything else.
 * GitHub: `iat` 60 s in the past against clock drift, `exp` at most 10 minutes after `iat`
 * (docs: "Generating a JSON Web Token (JWT) for a GitHub App").
 */
export function signAppJwt(
  appId: string,
  privateKey: KeyObject,
  nowMs: number,
  timeDifferenceSeconds = 0,
): { jwt: string; expiresAt: string } {
  const now = Math.floor(nowMs / 1000) + timeDifferenceSeconds;
  const iat = now - 60;
  const exp = iat + 600;
  const issuer: string | number = /^\d+$/.test(appId) ? Number(appId) : appId;
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const payload = base64url(JSON.stringify({ iat, exp, iss: issuer }));
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), privateKey).toString('base64url');
  return { jwt: `${header}.${payload}.${signature}`, expiresAt: new Date(exp * 1000).toISOString() };
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
