export { OctokitGitHub, type OctokitGitHubDeps } from './github-adapter.js';
export type { OctokitSettings } from './octokit.js';
export { AppCredentialsProvider, type AppCredentials } from './credentials.js';
export { toFleetError } from './errors.js';
