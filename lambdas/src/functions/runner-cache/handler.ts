import { createArtifactStore } from '../../adapters/aws/s3.js';
import { FetchRunnerReleases } from '../../adapters/github/runner-releases.js';
import { runnerCacheConfigSchema } from '../../config/schema.js';
import { runRunnerCache, type RunnerCacheDeps, type RunnerCacheReport } from '../../core/runner-cache/run.js';
import { describeError } from '../../errors.js';
import { systemClock } from '../../ports/clock.js';
import { defineHandler, type HandlerOverrides } from '../shared/define-handler.js';

type CachePorts = Omit<RunnerCacheDeps, 'log' | 'metrics'>;

/**
 * Scheduled by EventBridge Scheduler (modules/runner-cache). Each run brings the artifact bucket
 * up to date; a failed one is logged and rethrown (Lambda's Errors metric, the module's alarm), and
 * the next scheduled run tries again. Instances meanwhile fall back to GitHub's download.
 */
export function createRunnerCacheHandler(overrides: HandlerOverrides<CachePorts> = {}) {
  return defineHandler(
    {
      functionName: 'runner-cache',
      schema: runnerCacheConfigSchema,
      init: (tools): CachePorts => ({
        store: createArtifactStore({ bucket: tools.config.bucket }),
        releases: new FetchRunnerReleases({
          apiUrl: tools.config.releasesApiUrl,
          downloadUrl: tools.config.releasesDownloadUrl,
        }),
        clock: systemClock,
      }),
      handle: async (_event: unknown, ports, tools): Promise<RunnerCacheReport> => {
        const { latest, pinned } = tools.config;
        try {
          const report = await runRunnerCache({ ...ports, log: tools.log, metrics: tools.metrics }, { latest, pinned });
          tools.log.info('runner cache run finished', { ...report });
          return report;
        } catch (error) {
          tools.log.error('runner cache run failed', { error: describeError(error) });
          throw error;
        }
      },
    },
    overrides,
  );
}

export const handler = createRunnerCacheHandler();
