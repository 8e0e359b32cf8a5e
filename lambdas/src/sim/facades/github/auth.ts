import { createHash, verify } from 'node:crypto';
import type { Clock } from '../../../ports/clock.js';
import type { GitHubAppDirectory } from './directory.js';

/** How a request authenticated: the facade records it so tests can assert what the adapter sent. */
export type AuthKind = 'none' | 'jwt' | 'installation' | 'invalid';

export type Credential =
  | { readonly kind: 'none' }
  | { readonly kind: 'invalid'; readonly reason: string }
  | { readonly kind: 'jwt'; readonly appId: string }
  | { readonly kind: 'installation'; readonly installationId: number; readonly appId: string };

interface IssuedToken {
  readonly installationId: number;
  readonly appId: string;
  readonly expiresAtMs: number;
}

/** GitHub: installation tokens live one hour (docs: "Authenticating as a GitHub App installation"). */
export const INSTALLATION_TOKEN_TTL_MS = 3_600_000;
/** GitHub refuses a JWT whose `exp` is more than 10 minutes ahead; one minute of drift is tolerated here. */
const MAX_JWT_LIFETIME_S = 600;
const SKEW_S = 60;

/** Issues installation tokens and checks `Authorization` headers against the directory. */
export class FacadeAuth {
  private readonly tokens = new Map<string, IssuedToken>();
  private issued = 0;

  constructor(
    private readonly directory: GitHubAppDirectory,
    private readonly clock: Clock,
    private readonly jwtClock: Clock,
  ) {}

  /** Deterministic yet unguessable-looking: the simulator must replay identically. */
  issueToken(appId: string, installationId: number): { token: string; expiresAtMs: number } {
    this.issued += 1;
    const digest = createHash('sha256').update(`${appId}:${installationId}:${this.issued}`).digest('base64url');
    const token = `ghs_${digest.replace(/[-_]/g, 'x').slice(0, 36)}`;
    const expiresAtMs = this.clock.now() + INSTALLATION_TOKEN_TTL_MS;
    this.tokens.set(token, { installationId, appId, expiresAtMs });
    return { token, expiresAtMs };
  }

  /** Forgets every token (e.g. to test that clients obtain a new one). */
  revokeAll(): void {
    this.tokens.clear();
  }

  identify(header: string | undefined): Credential {
    if (!header) return { kind: 'none' };
    const match = /^(bearer|token)\s+(\S+)$/i.exec(header.trim());
    if (!match?.[2]) return { kind: 'invalid', reason: 'malformed Authorization header' };
    const secret = match[2];
    if (secret.split('.').length === 3) return this.verifyJwt(secret);
    const token = this.tokens.get(secret);
    if (!token) return { kind: 'invalid', reason: 'unknown token' };
    if (token.expiresAtMs <= this.clock.now()) return { kind: 'invalid', reason: 'expired token' };
    return { kind: 'installation', installationId: token.installationId, appId: token.appId };
  }

  private verifyJwt(jwt: string): Credential {
    const [header, payload, signature] = jwt.split('.');
    if (header === undefined || payload === undefined || signature === undefined) {
      return { kind: 'invalid', reason: 'malformed JWT' };
    }
    const head = decodeJson(header);
    const claims = decodeJson(payload);
    if (!head || head.alg !== 'RS256') return { kind: 'invalid', reason: 'JWT is not RS256' };
    if (!claims) return { kind: 'invalid', reason: 'malformed JWT claims' };
    const { iss, iat, exp } = claims;
    if ((typeof iss !== 'string' && typeof iss !== 'number') || typeof iat !== 'number' || typeof exp !== 'number') {
      return { kind: 'invalid', reason: 'JWT lacks iss, iat or exp' };
    }
    const appId = String(iss);
    const key = this.directory.publicKey(appId);
    if (!key) return { kind: 'invalid', reason: 'unknown app' };
    const valid = verify('sha256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url'));
    if (!valid) return { kind: 'invalid', reason: 'JWT signature does not verify' };
    const now = Math.floor(this.jwtClock.now() / 1000);
    if (iat > now + SKEW_S) return { kind: 'invalid', reason: 'JWT issued in the future' };
    if (exp <= now) return { kind: 'invalid', reason: 'JWT expired' };
    if (exp - iat > MAX_JWT_LIFETIME_S || exp > now + MAX_JWT_LIFETIME_S + SKEW_S) {
      return { kind: 'invalid', reason: 'JWT exp too far in the future' };
    }
    return { kind: 'jwt', appId };
  }
}

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value))
      : undefined;
  } catch {
    return undefined;
  }
}
