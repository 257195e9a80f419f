// Routes, the signed-in layout (navigation, project, language, user) and the
// session guard: no session or an expired one -> /login?next=<where the user
// was>, and back there after logging in.
import { lazy, Suspense, useEffect, type ComponentType, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation, useNavigate, Link } from 'react-router-dom';
import { ConfigProvider, Layout, Menu, Select, Button, Space, Spin } from 'antd';
import { onUnauthorized } from './api/client';
import { useAuth } from './auth';
import { useI18n } from './i18n/i18n';
import { useProject } from './components/project';
import { LanguageSwitch } from './components/LanguageSwitch';
import type { MessageKey } from './i18n/messages';

const LoginPage = lazy(() => import('./pages/Login').then((m) => ({ default: m.LoginPage })));
const Overview = lazy(() => import('./pages/Overview'));
const Images = lazy(() => import('./pages/Images'));
const ImageDetail = lazy(() => import('./pages/ImageDetail'));
const Alerts = lazy(() => import('./pages/Alerts'));
const Policies = lazy(() => import('./pages/Policies'));
const Audit = lazy(() => import('./pages/Audit'));
const Registries = lazy(() => import('./pages/Registries'));
const Clusters = lazy(() => import('./pages/Clusters'));
const Users = lazy(() => import('./pages/Users'));
const Settings = lazy(() => import('./pages/Settings'));

/**
 * The signed-in pages: path, page, and the navigation label of those in the
 * menu (in menu order). The server answers each path (and below) with
 * index.html: keep in sync with src/node/server/console.ts.
 */
const PAGES: [path: string, page: ComponentType, labelKey?: MessageKey][] = [
  ['/overview', Overview, 'nav.overview'],
  ['/images', Images, 'nav.images'],
  ['/images/:imageId', ImageDetail],
  ['/alerts', Alerts, 'nav.alerts'],
  ['/alerts/:alertId', Alerts],
  ['/policies', Policies, 'nav.policies'],
  ['/policies/:policyId', Policies],
  ['/registries', Registries, 'nav.registries'],
  ['/clusters', Clusters, 'nav.clusters'],
  ['/audit', Audit, 'nav.audit'],
  ['/users', Users, 'nav.users'],
  ['/settings', Settings, 'nav.settings'],
];

export const NAV: { path: string; labelKey: MessageKey }[] = PAGES.flatMap(([path, , labelKey]) => (labelKey ? [{ path, labelKey }] : []));

function RequireAuth({ children }: { children: ReactNode }) {
  const { session } = useAuth();
  const loc = useLocation();
  if (!session) return <Navigate to={`/login?next=${encodeURIComponent(loc.pathname + loc.search)}`} replace />;
  return <>{children}</>;
}

function ProjectSwitch() {
  const { t } = useI18n();
  const { projectId, projects, setProject } = useProject();
  if (projects.length < 2) return null;
  return (
    <Select
      aria-label={t('project.label')}
      value={projectId}
      onChange={setProject}
      style={{ width: 180 }}
      options={projects.map((p) => ({ value: p.id, label: p.name }))}
    />
  );
}

function Shell({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const { me, logout } = useAuth();
  const loc = useLocation();
  const nav = useNavigate();
  const selected = NAV.find((n) => loc.pathname.startsWith(n.path))?.path ?? '/overview';
  return (
    <Layout style={{ minHeight: '100%' }}>
      <a className="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <Layout.Sider breakpoint="lg" collapsedWidth={0} width={210}>
        <div className="brand">{t('app.name')}</div>
        <nav aria-label={t('nav.label')}>
          <Menu
            theme="dark"
            mode="inline"
            selectedKeys={[selected]}
            items={NAV.map((n) => ({
              key: n.path,
              label: (
                <Link to={n.path + (loc.search.includes('project=') ? `?project=${new URLSearchParams(loc.search).get('project')}` : '')}>{t(n.labelKey)}</Link>
              ),
            }))}
          />
        </nav>
      </Layout.Sider>
      <Layout>
        <Layout.Header style={{ background: '#fff', display: 'flex', justifyContent: 'flex-end', alignItems: 'center', gap: 12, paddingInline: 24 }}>
          <Space>
            <ProjectSwitch />
            <LanguageSwitch width={130} />
            <span data-testid="username">{me?.username}</span>
            <Button onClick={() => void logout().then(() => nav('/login'))}>{t('auth.logout')}</Button>
          </Space>
        </Layout.Header>
        <Layout.Content id="main" style={{ margin: 24 }}>
          <main>
            <Suspense
              fallback={
                <div className="state" role="status">
                  <Spin />
                </div>
              }
            >
              {children}
            </Suspense>
          </main>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}

export function App() {
  const { antdLocale } = useI18n();
  const { expire } = useAuth();
  const nav = useNavigate();
  const loc = useLocation();
  useEffect(() => {
    onUnauthorized(() => {
      expire();
      if (!window.location.pathname.startsWith('/login'))
        nav(`/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`, { replace: true });
    });
  }, [expire, nav]);
  const page = (el: ReactNode) => (
    <RequireAuth>
      <Shell>{el}</Shell>
    </RequireAuth>
  );
  return (
    <ConfigProvider
      locale={antdLocale}
      theme={{
        // Ant Design's zero-runtime mode: component styles come from its
        // prebuilt CSS file (main.tsx) instead of being generated in the
        // browser on first render (docs/architecture.md, console performance).
        zeroRuntime: true,
        token: {
          colorPrimary: '#1d4ed8',
          colorLink: '#1d4ed8',
          colorInfo: '#1d4ed8',
          colorError: '#c81e1e',
          colorSuccess: '#15803d',
          colorWarning: '#b45309',
          colorTextSecondary: '#595959',
          colorTextDescription: '#595959',
          colorTextTertiary: '#595959',
          colorTextPlaceholder: '#6b6b6b',
          colorTextDisabled: '#6b6b6b',
        },
      }}
    >
      <Routes location={loc}>
        <Route
          path="/login"
          element={
            <Suspense fallback={<Spin />}>
              <LoginPage />
            </Suspense>
          }
        />
        <Route path="/" element={<Navigate to="/overview" replace />} />
        {PAGES.map(([path, Page]) => (
          <Route key={path} path={path} element={page(<Page />)} />
        ))}
        <Route path="*" element={<Navigate to="/overview" replace />} />
      </Routes>
    </ConfigProvider>
  );
}
