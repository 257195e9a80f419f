import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { I18nProvider, initialLang, loadLang } from './i18n/i18n';
import { AuthProvider } from './auth';
import { App } from './App';
import { loadSession } from './api/client';
import { alertsQuery, imagesQuery, meQuery, overviewQuery, pickProject, projectsQuery } from './api/queries';
import { wantedProject } from './components/project';
// Ant Design's component styles, prebuilt (the theme's zeroRuntime, App.tsx); before the console's own.
import 'antd/dist/antd.css';
import './styles.css';

const queryClient = new QueryClient({
  defaultOptions: { queries: { retry: (n, e) => n < 1 && !((e as { status?: number }).status! >= 400), refetchOnWindowFocus: false } },
});

// A signed-in user's first data, asked for now, while React renders and the
// page's chunk loads, instead of after the page mounted: the user, the
// projects and, on the overview, the overview of the project the page will
// pick, on the images and alerts lists their first page (a 401 goes through the client's handler to the login page as usual).
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

// Chinese users get the Chinese catalog before the first paint; if it cannot
// load, the console starts in English.
const render = () =>
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <BrowserRouter>
        <QueryClientProvider client={queryClient}>
          <I18nProvider>
            <AuthProvider>
              <App />
            </AuthProvider>
          </I18nProvider>
        </QueryClientProvider>
      </BrowserRouter>
    </StrictMode>,
  );
void loadLang(initialLang()).then(render, render);
