export { GitHubFacade, type GitHubFacadeOptions, type RecordedRequest } from './server.js';
export { InMemoryGitHub } from './in-memory.js';
export { StaticAppDirectory, type GitHubAppDirectory } from './directory.js';
export { FacadeAuth, INSTALLATION_TOKEN_TTL_MS, type AuthKind } from './auth.js';
export { primaryRateLimit, secondaryRateLimit } from './errors.js';
