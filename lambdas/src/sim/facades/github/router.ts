import type { GitHubPort, RunnerOwner } from '../../../ports/github.js';
import type { Credential } from './auth.js';
import type { FacadeAuth } from './auth.js';
import type { GitHubAppDirectory } from './directory.js';
import type { LabelIds } from './wire.js';

/** What a route handler gets: the decoded request and the facade's collaborators. */
export interface RouteContext {
  readonly params: Readonly<Record<string, string>>;
  /** The request URL as received (with the `/api/v3` prefix on GHES). */
  readonly url: URL;
  /** `http://127.0.0.1:PORT` plus `/api/v3` when the request came that way: base for URLs in answers. */
  readonly apiBase: string;
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  readonly body: unknown;
  readonly credential: Credential;
  readonly backend: GitHubPort;
  readonly directory: GitHubAppDirectory;
  readonly auth: FacadeAuth;
  readonly labelIds: LabelIds;
}

export interface Answer {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface Route {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  /** Octokit's route notation: `/orgs/{org}/actions/runners/{runner_id}`. Also the accounting key. */
  readonly pattern: string;
  /** `app`: the app's JWT; `installation`: an installation token covering the route's owner. */
  readonly auth: 'app' | 'installation';
  readonly handle: (ctx: RouteContext) => Promise<Answer>;
}

/** The owner a route acts on, from its path parameters. */
export function ownerOf(params: Readonly<Record<string, string>>): RunnerOwner | undefined {
  if (params.org !== undefined) return { kind: 'org', org: params.org };
  if (params.owner !== undefined && params.repo !== undefined) {
    return { kind: 'repo', owner: params.owner, repo: params.repo };
  }
  return undefined;
}

export function match(routes: readonly Route[], method: string, path: string) {
  const segments = path.split('/').filter((s) => s.length > 0);
  for (const route of routes) {
    if (route.method !== method) continue;
    const parts = route.pattern.split('/').filter((s) => s.length > 0);
    if (parts.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (const [i, part] of parts.entries()) {
      const segment = segments[i] ?? '';
      if (part.startsWith('{') && part.endsWith('}')) params[part.slice(1, -1)] = decodeURIComponent(segment);
      else if (part !== segment) ok = false;
    }
    if (ok) return { route, params };
  }
  return undefined;
}

/** A positive integer path parameter, or undefined (the facade answers 404 like GitHub). */
export function intParam(params: Readonly<Record<string, string>>, name: string): number | undefined {
  const value = params[name];
  return value !== undefined && /^[1-9]\d{0,15}$/.test(value) ? Number(value) : undefined;
}

export const notFound: Answer = {
  status: 404,
  body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' },
};

export function invalid(message: string): Answer {
  return { status: 422, body: { message, documentation_url: 'https://docs.github.com/rest', status: '422' } };
}
