// The console's query cache and a signed-in user's first data, asked for
// as the first thing the entry does: main.tsx imports this module first and
// it imports nothing that brings in React DOM, the router or Ant Design, so
// its requests leave before those are evaluated (ES modules run in import
// order; on a cold load that evaluation is the largest part of the time
// before the page can render, bench/README.md). The user, the projects and,
// on the overview, the overview of the project the page will pick, on the
// images and alerts lists their first page; the pages use the same query
// options (api/queries.ts), so they find the answers in the cache. A 401
// goes through the client's handler to the login page as usual.
import { QueryClient } from '@tanstack/react-query';
import { loadSession } from './api/client';
import { alertsQuery, imagesQuery, meQuery, overviewQuery, pickProject, projectsQuery, wantedProject } from './api/queries';

export const queryClient = new QueryClient({
  defaultOptions: { queries: { retry: (n, e) => n < 1 && !((e as { status?: number }).status! >= 400), refetchOnWindowFocus: false } },
});

const session = loadSession();
if (session && !location.pathname.startsWith('/login')) {
  void queryClient.prefetchQuery(meQuery(session.token));
  const projects = queryClient.fetchQuery(projectsQuery).catch(() => undefined);
  const search = new URLSearchParams(location.search);
  const wanted = wantedProject(search);
  if (location.pathname === '/' || location.pathname.startsWith('/overview')) {
    // The project the URL or the last visit names is asked for at once,
    // beside the projects (its answer is cached: a single round trip before
    // the overview can render); else the one the page will pick, after them.
    if (wanted) void queryClient.prefetchQuery(overviewQuery(wanted));
    else
      void projects.then((p) => {
        const id = p && pickProject(p.items, wanted);
        return id ? queryClient.prefetchQuery(overviewQuery(id)) : undefined;
      });
  }
  // The images and alerts lists (their first view: no item open), when the
  // URL or the last visit names the project, for the URL's filters.
  const path = location.pathname.replace(/\/$/, '');
  const get = (k: string) => search.get(k) ?? '';
  if (wanted && path === '/images') void queryClient.prefetchQuery(imagesQuery(wanted, get));
  if (wanted && path === '/alerts') void queryClient.prefetchQuery(alertsQuery(wanted, get));
}
