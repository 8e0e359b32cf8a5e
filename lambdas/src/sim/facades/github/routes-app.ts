import { encodeInstallation } from './wire.js';
import { intParam, notFound, ownerOf, type Route, type RouteContext } from './router.js';

/** App-authenticated endpoints (JWT): installation look-up and the token exchange. */
export const appRoutes: readonly Route[] = [
  {
    method: 'GET',
    pattern: '/app',
    auth: 'app',
    handle: async ({ credential }) => {
      if (credential.kind !== 'jwt') return notFound;
      return { status: 200, body: { id: Number(credential.appId) || credential.appId, slug: 'fleet-app' } };
    },
  },
  { method: 'GET', pattern: '/orgs/{org}/installation', auth: 'app', handle: lookUp },
  { method: 'GET', pattern: '/repos/{owner}/{repo}/installation', auth: 'app', handle: lookUp },
  {
    method: 'POST',
    pattern: '/app/installations/{installation_id}/access_tokens',
    auth: 'app',
    handle: async ({ credential, params, directory, auth }) => {
      const installationId = intParam(params, 'installation_id');
      if (credential.kind !== 'jwt' || installationId === undefined) return notFound;
      if (directory.appOfInstallation(installationId) !== credential.appId) return notFound;
      const { token, expiresAtMs } = auth.issueToken(credential.appId, installationId);
      return {
        status: 201,
        body: {
          token,
          expires_at: new Date(expiresAtMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          permissions: { organization_self_hosted_runners: 'write', administration: 'write', actions: 'read' },
          repository_selection: 'all',
        },
      };
    },
  },
];

async function lookUp({ credential, params, directory, apiBase }: RouteContext) {
  const owner = ownerOf(params);
  if (credential.kind !== 'jwt' || !owner) return notFound;
  const id = directory.installationFor(credential.appId, owner);
  if (id === undefined) return notFound;
  return { status: 200, body: encodeInstallation(id, credential.appId, owner, apiBase) };
}
