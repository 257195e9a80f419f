// Query options shared by the pages and by the start-up prefetch in
// main.tsx, which asks for the signed-in user, the projects and the
// overview while the page's JavaScript is still loading (same keys, so the
// pages find the answers in the cache instead of asking again).
import type { Project } from './models';
import { api, unwrap } from './client';

export const meQuery = (token: string | undefined) => ({
  queryKey: ['me', token] as const,
  queryFn: () => unwrap(api.GET('/api/v1/auth/me')),
  staleTime: 60_000,
});

export const projectsQuery = {
  queryKey: ['projects'] as const,
  queryFn: () => unwrap(api.GET('/api/v1/projects', { params: { query: { limit: 500 } } })),
  staleTime: 60_000,
};

/**
 * GET /projects/{id}/overview (src/node/services/overview.ts). Fresh for
 * 30 s: the start-up prefetch's answer is not asked for again when the page
 * (re)mounts a moment later (the first load asked twice before).
 */
export const overviewQuery = (projectId: string | undefined) => ({
  queryKey: ['overview', projectId] as const,
  queryFn: () => unwrap(api.GET('/api/v1/projects/{projectId}/overview', { params: { path: { projectId: projectId! } } })),
  staleTime: 30_000,
});

/** The current project: `wanted` (?project= or the last chosen) when the caller may read it, else the first readable one. */
export function pickProject(items: readonly Project[], wanted: string): string | undefined {
  return items.find((p) => p.id === wanted)?.id ?? items[0]?.id;
}
