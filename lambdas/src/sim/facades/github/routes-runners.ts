import { z } from 'zod';
import type { RepoRef, RunnerOwner } from '../../../ports/github.js';
import { encodeJob, encodeLabels, encodeRunner, paginate } from './wire.js';
import { intParam, invalid, notFound, ownerOf, type Answer, type Route, type RouteContext } from './router.js';

const labelsBody = z.object({ labels: z.array(z.string().min(1).max(100)).max(100) });
// GitHub: "Create configuration for a just-in-time runner" (name, runner_group_id, labels 1..100, work_folder).
const jitBody = z.object({
  name: z.string().min(1).max(64),
  runner_group_id: z.number().int().positive(),
  labels: z.array(z.string().min(1).max(100)).min(1).max(100),
  work_folder: z.string().optional(),
});

type Handler = (ctx: RouteContext, owner: RunnerOwner) => Promise<Answer>;

/** Wraps a handler that needs the route's owner (and a numeric runner id when the path has one). */
function withOwner(handler: Handler) {
  return async (ctx: RouteContext): Promise<Answer> => {
    const owner = ownerOf(ctx.params);
    if (!owner) return notFound;
    if (ctx.params.runner_id !== undefined && intParam(ctx.params, 'runner_id') === undefined) return notFound;
    return handler(ctx, owner);
  };
}

const runnerId = (ctx: RouteContext) => intParam(ctx.params, 'runner_id') ?? 0;

function runnerRoutes(base: string): Route[] {
  return [
    {
      method: 'GET',
      pattern: `${base}/actions/runners`,
      auth: 'installation',
      handle: withOwner(async (ctx, owner) => {
        const runners = await ctx.backend.listRunners(owner);
        const { page, link } = paginate(runners, ctx.url, ctx.origin);
        return {
          status: 200,
          body: { total_count: runners.length, runners: page.map((r) => encodeRunner(r, ctx.labelIds)) },
          ...(link ? { headers: { link } } : {}),
        };
      }),
    },
    {
      method: 'GET',
      pattern: `${base}/actions/runners/{runner_id}`,
      auth: 'installation',
      handle: withOwner(async (ctx, owner) => ({
        status: 200,
        body: encodeRunner(await ctx.backend.getRunner(owner, runnerId(ctx)), ctx.labelIds),
      })),
    },
    {
      method: 'DELETE',
      pattern: `${base}/actions/runners/{runner_id}`,
      auth: 'installation',
      handle: withOwner(async (ctx, owner) => {
        await ctx.backend.deleteRunner(owner, runnerId(ctx));
        return { status: 204 };
      }),
    },
    {
      method: 'PUT',
      pattern: `${base}/actions/runners/{runner_id}/labels`,
      auth: 'installation',
      handle: withOwner(async (ctx, owner) => {
        const body = labelsBody.safeParse(ctx.body);
        if (!body.success) return invalid('Invalid request: labels must be an array of label names');
        const labels = await ctx.backend.setCustomLabels(owner, runnerId(ctx), body.data.labels);
        return { status: 200, body: { total_count: labels.length, labels: encodeLabels(labels, ctx.labelIds) } };
      }),
    },
    {
      method: 'DELETE',
      pattern: `${base}/actions/runners/{runner_id}/labels`,
      auth: 'installation',
      handle: withOwner(async (ctx, owner) => {
        const labels = await ctx.backend.removeCustomLabels(owner, runnerId(ctx));
        return { status: 200, body: { total_count: labels.length, labels: encodeLabels(labels, ctx.labelIds) } };
      }),
    },
    {
      method: 'POST',
      pattern: `${base}/actions/runners/registration-token`,
      auth: 'installation',
      handle: withOwner(async (ctx, owner) => {
        const token = await ctx.backend.createRegistrationToken(owner);
        return { status: 201, body: { token: token.token, expires_at: isoSeconds(token.expiresAtMs) } };
      }),
    },
    {
      method: 'POST',
      pattern: `${base}/actions/runners/generate-jitconfig`,
      auth: 'installation',
      handle: withOwner(async (ctx, owner) => {
        const body = jitBody.safeParse(ctx.body);
        if (!body.success) return invalid('Invalid request: name, runner_group_id and labels are required');
        const { name, labels, runner_group_id: runnerGroupId, work_folder: workFolder } = body.data;
        const jit = await ctx.backend.generateJitConfig(owner, {
          name,
          labels,
          runnerGroupId,
          ...(workFolder === undefined ? {} : { workFolder }),
        });
        const runner = await ctx.backend.getRunner(owner, jit.runnerId);
        return {
          status: 201,
          body: { runner: encodeRunner(runner, ctx.labelIds), encoded_jit_config: jit.encodedJitConfig },
        };
      }),
    },
  ];
}

/** The repository and job id of a `/repos/{owner}/{repo}/actions/jobs/{job_id}...` path, or undefined. */
function jobOf(params: Readonly<Record<string, string>>): { repo: RepoRef; jobId: number } | undefined {
  const { owner, repo } = params;
  const jobId = intParam(params, 'job_id');
  return owner === undefined || repo === undefined || jobId === undefined
    ? undefined
    : { repo: { owner, repo }, jobId };
}

export const runnerRoutesAll: readonly Route[] = [
  ...runnerRoutes('/orgs/{org}'),
  ...runnerRoutes('/repos/{owner}/{repo}'),
  {
    method: 'GET',
    pattern: '/repos/{owner}/{repo}/actions/jobs/{job_id}',
    auth: 'installation',
    handle: async (ctx) => {
      const target = jobOf(ctx.params);
      if (target === undefined) return notFound;
      const job = await ctx.backend.getJob(target.repo, target.jobId);
      return { status: 200, body: encodeJob(job, target.repo.owner, target.repo.repo, ctx.apiBase) };
    },
  },
  {
    method: 'GET',
    pattern: '/repos/{owner}/{repo}/actions/runs/{run_id}/jobs',
    auth: 'installation',
    handle: async (ctx) => {
      const { owner, repo } = ctx.params;
      const runId = intParam(ctx.params, 'run_id');
      if (owner === undefined || repo === undefined || runId === undefined) return notFound;
      // Only `filter=latest` (GitHub's default) is served: the jobs of the run's latest attempt.
      if ((ctx.url.searchParams.get('filter') ?? 'latest') !== 'latest')
        return invalid('only filter=latest is modelled');
      const ids = await ctx.backend.latestJobIds({ owner, repo }, runId);
      const jobs = await Promise.all(ids.map((id) => ctx.backend.getJob({ owner, repo }, id)));
      const { page, link } = paginate(jobs, ctx.url, ctx.origin);
      return {
        status: 200,
        body: { total_count: jobs.length, jobs: page.map((job) => encodeJob(job, owner, repo, ctx.apiBase)) },
        ...(link ? { headers: { link } } : {}),
      };
    },
  },
  {
    method: 'POST',
    pattern: '/repos/{owner}/{repo}/actions/jobs/{job_id}/rerun',
    auth: 'installation',
    handle: async (ctx) => {
      const target = jobOf(ctx.params);
      if (target === undefined) return notFound;
      await ctx.backend.rerunJob(target.repo, target.jobId);
      return { status: 201, body: {} };
    },
  },
];

export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
