import { setTimeout as delay } from 'node:timers/promises';
import type { GitHubPort } from '../../ports/github.js';

/**
 * A GitHubPort that waits a real `latencyMs` before each call of the one it wraps: GitHub's
 * per-request latency, placed behind the HTTP facade so the adapter, the wire and the executor's
 * concurrency all see it as they would in production.
 */
export function withLatency(backend: GitHubPort, latencyMs: number): GitHubPort {
  const slow = async <T>(call: () => Promise<T>): Promise<T> => {
    if (latencyMs > 0) await delay(latencyMs);
    return call();
  };
  return {
    listRunners: (owner) => slow(() => backend.listRunners(owner)),
    getRunner: (owner, id) => slow(() => backend.getRunner(owner, id)),
    deleteRunner: (owner, id) => slow(() => backend.deleteRunner(owner, id)),
    setCustomLabels: (owner, id, labels) => slow(() => backend.setCustomLabels(owner, id, labels)),
    removeCustomLabels: (owner, id) => slow(() => backend.removeCustomLabels(owner, id)),
    createRegistrationToken: (owner) => slow(() => backend.createRegistrationToken(owner)),
    generateJitConfig: (owner, request) => slow(() => backend.generateJitConfig(owner, request)),
    getJob: (repo, id) => slow(() => backend.getJob(repo, id)),
    rerunJob: (repo, id) => slow(() => backend.rerunJob(repo, id)),
    latestJobIds: (repo, runId) => slow(() => backend.latestJobIds(repo, runId)),
    listRunnerGroups: (org) => slow(() => backend.listRunnerGroups(org)),
    createRunnerGroup: (org, group) => slow(() => backend.createRunnerGroup(org, group)),
    addRunnerToGroup: (org, groupId, id) => slow(() => backend.addRunnerToGroup(org, groupId, id)),
  };
}
