import { z } from 'zod';
import { encodeRepository, encodeRunnerGroup, paginate } from './wire.js';
import { intParam, invalid, notFound, type Route } from './router.js';

// GitHub: "Create a self-hosted runner group for an organization".
const createBody = z.object({
  name: z.string().min(1).max(100),
  visibility: z.enum(['all', 'selected', 'private']).default('all'),
  selected_repository_ids: z.array(z.number().int().positive()).optional(),
});

/** Org runner groups: list, create, a group's repositories, move a runner into a group. */
export const groupRoutes: readonly Route[] = [
  {
    method: 'GET',
    pattern: '/orgs/{org}/actions/runner-groups',
    auth: 'installation',
    handle: async (ctx) => {
      const org = ctx.params.org ?? '';
      const groups = await ctx.backend.listRunnerGroups(org);
      const { page, link } = paginate(groups, ctx.url, ctx.origin);
      return {
        status: 200,
        body: { total_count: groups.length, runner_groups: page.map((g) => encodeRunnerGroup(g, org, ctx.apiBase)) },
        ...(link ? { headers: { link } } : {}),
      };
    },
  },
  {
    method: 'POST',
    pattern: '/orgs/{org}/actions/runner-groups',
    auth: 'installation',
    handle: async (ctx) => {
      const org = ctx.params.org ?? '';
      const body = createBody.safeParse(ctx.body);
      if (!body.success) return invalid('Invalid request: name is required');
      const { name, visibility, selected_repository_ids: ids } = body.data;
      if (visibility === 'private') return invalid('Invalid request: visibility private is for enterprises');
      const group = await ctx.backend.createRunnerGroup(org, {
        name,
        visibility,
        ...(ids === undefined ? {} : { selectedRepositoryIds: ids }),
      });
      return { status: 201, body: encodeRunnerGroup(group, org, ctx.apiBase) };
    },
  },
  {
    method: 'GET',
    pattern: '/orgs/{org}/actions/runner-groups/{runner_group_id}/repositories',
    auth: 'installation',
    handle: async (ctx) => {
      const org = ctx.params.org ?? '';
      const groupId = intParam(ctx.params, 'runner_group_id');
      const group = (await ctx.backend.listRunnerGroups(org)).find((g) => g.id === groupId);
      if (!group) return notFound;
      const { page, link } = paginate(group.selectedRepositoryIds, ctx.url, ctx.origin);
      return {
        status: 200,
        body: {
          total_count: group.selectedRepositoryIds.length,
          repositories: page.map((id) => encodeRepository(id, org)),
        },
        ...(link ? { headers: { link } } : {}),
      };
    },
  },
  {
    method: 'PUT',
    pattern: '/orgs/{org}/actions/runner-groups/{runner_group_id}/runners/{runner_id}',
    auth: 'installation',
    handle: async (ctx) => {
      const groupId = intParam(ctx.params, 'runner_group_id');
      const runnerId = intParam(ctx.params, 'runner_id');
      if (groupId === undefined || runnerId === undefined) return notFound;
      await ctx.backend.addRunnerToGroup(ctx.params.org ?? '', groupId, runnerId);
      return { status: 204 };
    },
  },
];
