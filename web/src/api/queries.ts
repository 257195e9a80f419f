// Query options shared by the pages and by the start-up prefetch in
// main.tsx, which asks for the signed-in user, the projects and the
// overview or the first page of the images or alerts list while the page's
// JavaScript is still loading (same keys, so the pages find the answers in
// the cache instead of asking again).
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

/** Where the console keeps the last chosen project (components/project.ts). */
export const PROJECT_KEY = 'vigil.project';

/** The project id the console would choose now: ?project= in the URL, else the last chosen (pickProject decides). */
export function wantedProject(search: URLSearchParams): string {
  return search.get('project') ?? localStorage.getItem(PROJECT_KEY) ?? '';
}

/** The current project: `wanted` (?project= or the last chosen) when the caller may read it, else the first readable one. */
export function pickProject(items: readonly Project[], wanted: string): string | undefined {
  return items.find((p) => p.id === wanted)?.id ?? items[0]?.id;
}

/** An ISO time from a URL filter's value, undefined when empty or not a time. */
export function filterTime(v: string | null | undefined): string | undefined {
  const d = v ? new Date(v) : undefined;
  return d && !Number.isNaN(d.getTime()) ? d.toISOString() : undefined;
}

/** A URL filter's value ('' when absent), as useUrlFilters().get. */
type Filter = (k: string) => string;

/**
 * Lists shown right after start-up: fresh for 5 s, so the prefetch's answer
 * is used when the page mounts instead of asked for again.
 */
const LIST_STALE_MS = 5_000;

/** The Images page's list for these URL filters (GET /projects/{id}/images, 20 a page). */
export function imagesQuery(projectId: string | undefined, get: Filter) {
  const query = {
    limit: 20,
    cursor: get('cursor') || undefined,
    sort: get('sort') || undefined,
    repository: get('repository') || undefined,
    registry: get('registry') || undefined,
    minSeverity: (get('minSeverity') || undefined) as 'critical' | 'high' | 'medium' | 'low' | undefined,
    scanned: get('scanned') === '' ? undefined : get('scanned') === 'true',
    name: get('name') || undefined,
    fixable: get('fixable') === '' ? undefined : get('fixable') === 'true',
    scanStatus: (get('scanStatus') || undefined) as 'queued' | 'running' | 'succeeded' | 'failed' | undefined,
  };
  return {
    queryKey: ['images', projectId, query] as const,
    queryFn: () => unwrap(api.GET('/api/v1/projects/{projectId}/images', { params: { path: { projectId: projectId! }, query } })),
    staleTime: LIST_STALE_MS,
  };
}

export const ALERT_STATUSES = ['open', 'handled', 'ignored', 'false-positive'] as const;
export const ALERT_SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export const ALERT_RANGES: Record<string, number> = { '1h': 3600e3, '24h': 86400e3, '7d': 7 * 86400e3, '30d': 30 * 86400e3 };

/** The Alerts page's list for these URL filters (GET /alerts, 50 a page). */
export function alertsQuery(projectId: string | undefined, get: Filter) {
  const range = get('range');
  // The time range is relative to when the filter was read; rounding to the minute keeps the query key stable.
  const since = range && ALERT_RANGES[range] ? new Date(Math.floor((Date.now() - ALERT_RANGES[range]) / 60000) * 60000).toISOString() : undefined;
  const query = {
    project: projectId,
    status: (get('status') || undefined) as (typeof ALERT_STATUSES)[number] | undefined,
    severity: (get('severity') || undefined) as (typeof ALERT_SEVERITIES)[number] | undefined,
    type: get('type') || undefined,
    node: get('node') || undefined,
    container: get('container') || undefined,
    since,
    until: filterTime(get('until')),
    cursor: get('cursor') || undefined,
    limit: 50,
  };
  return {
    queryKey: ['alerts', query] as const,
    queryFn: () => unwrap(api.GET('/api/v1/alerts', { params: { query } })),
    staleTime: LIST_STALE_MS,
  };
}
