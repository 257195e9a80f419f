// Image detail: vulnerabilities (fix status, fixed version, CVSS, layer,
// ignore state; ignore / cancel ignore for this image or all images),
// software list, layers with their created_by, content findings (malware,
// secrets, baseline, files); scan now; apply a policy.
import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { Alert, Button, Descriptions, Form, Modal, Popconfirm, Select, Space, Table, Tabs, Tag } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router-dom';
import { api, unwrap } from '../api/client';
import { dataOf, type Finding, type PackageRow, type VulnData, type VulnIgnore } from '../api/models';
import { useAuth } from '../auth';
import { useI18n } from '../i18n/i18n';
import { errorMessage, QueryState, SeverityTag, StatusTag, useProject, useUrlFilters } from '../components/common';
import { ContentFindings, type ContentKind } from '../components/ContentFindings';
import type { IgnoreInput } from '../components/IgnoreDialog';
import { message } from '../components/message';

// The ignore dialog (with Ant Design's DatePicker and dayjs, ~30 KB gzip)
// loads when a vulnerability's "Ignore" is clicked, not with the page.
const IgnoreDialog = lazy(() => import('../components/IgnoreDialog'));

function cvssOf(f: Finding): string {
  const scores = Object.values(dataOf<VulnData>(f).cvss ?? {});
  if (!scores.length) return '—';
  return Math.max(...scores.map((s) => s.score ?? 0)).toFixed(1);
}

export default function ImageDetail() {
  const { t, date } = useI18n();
  const { imageId = '' } = useParams();
  const { projectId } = useProject();
  const { can } = useAuth();
  const f = useUrlFilters();
  const qc = useQueryClient();
  const p = { projectId: projectId!, imageId };
  const [ignoring, setIgnoring] = useState<Finding>();
  const [applying, setApplying] = useState(false);
  const [scanId, setScanId] = useState<string>();

  const image = useQuery({
    queryKey: ['image', projectId, imageId],
    enabled: !!projectId,
    queryFn: () => unwrap(api.GET('/api/v1/projects/{projectId}/images/{imageId}', { params: { path: p } })),
  });
  const findings = useQuery({
    queryKey: ['findings', projectId, imageId],
    enabled: !!projectId,
    queryFn: () => unwrap(api.GET('/api/v1/projects/{projectId}/images/{imageId}/findings', { params: { path: p, query: { kind: 'vuln', limit: 500 } } })),
  });
  const packages = useQuery({
    queryKey: ['packages', projectId, imageId],
    enabled: !!projectId && f.get('tab') === 'software',
    queryFn: () => unwrap(api.GET('/api/v1/projects/{projectId}/images/{imageId}/packages', { params: { path: p, query: { limit: 500, sort: 'name' } } })),
  });
  const ignores = useQuery({
    queryKey: ['ignores', projectId],
    enabled: !!projectId && can('vuln:read', projectId),
    queryFn: () => unwrap(api.GET('/api/v1/projects/{projectId}/vuln-ignores', { params: { path: { projectId: projectId! }, query: { limit: 500 } } })),
  });
  const policies = useQuery({
    queryKey: ['policies', projectId],
    enabled: applying,
    queryFn: () => unwrap(api.GET('/api/v1/projects/{projectId}/policies', { params: { path: { projectId: projectId! }, query: { limit: 500 } } })),
  });
  const scan = useQuery({
    queryKey: ['scan', scanId],
    enabled: !!scanId,
    queryFn: () => unwrap(api.GET('/api/v1/projects/{projectId}/scans/{scanId}', { params: { path: { projectId: projectId!, scanId: scanId! } } })),
    refetchInterval: (q) => (q.state.data && (q.state.data.status === 'succeeded' || q.state.data.status === 'failed') ? false : 1000),
  });
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ['image'] });
    void qc.invalidateQueries({ queryKey: ['findings'] });
    void qc.invalidateQueries({ queryKey: ['ignores'] });
    void qc.invalidateQueries({ queryKey: ['images'] });
  };
  const scanDone = scan.data?.status === 'succeeded' || scan.data?.status === 'failed';
  useEffect(() => {
    if (!scanDone) return;
    void qc.invalidateQueries({ queryKey: ['image'] });
    void qc.invalidateQueries({ queryKey: ['findings'] });
    void qc.invalidateQueries({ queryKey: ['images'] });
  }, [scanDone, qc]);
  const scanNow = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/projects/{projectId}/images/{imageId}/scan', { params: { path: p } })),
    onSuccess: (r) => setScanId(r.scanId),
    onError: (e) => void message.error(errorMessage(e)),
  });
  const ignore = useMutation({
    mutationFn: async (v: IgnoreInput) => {
      const body = { vulnId: v.f.refId, package: v.f.package, reason: v.reason, ...(v.expires ? { expires: v.expires.format('YYYY-MM-DD') } : {}) };
      if (v.scope === 'image') return unwrap(api.POST('/api/v1/projects/{projectId}/images/{imageId}/vuln-ignores', { params: { path: p }, body }));
      return unwrap(api.POST('/api/v1/projects/{projectId}/vuln-ignores', { params: { path: { projectId: projectId! } }, body }));
    },
    onSuccess: () => {
      setIgnoring(undefined);
      refresh();
      void message.success(t('common.saved'));
    },
  });
  const cancelIgnore = useMutation({
    mutationFn: async (ig: VulnIgnore) => {
      if (ig.imageId)
        return unwrap(
          api.DELETE('/api/v1/projects/{projectId}/images/{imageId}/vuln-ignores/{ignoreId}', {
            params: { path: { ...p, imageId: ig.imageId, ignoreId: ig.id } },
          }),
        );
      return unwrap(api.DELETE('/api/v1/projects/{projectId}/vuln-ignores/{ignoreId}', { params: { path: { projectId: projectId!, ignoreId: ig.id } } }));
    },
    onSuccess: () => {
      refresh();
      void message.success(t('common.saved'));
    },
    onError: (e) => void message.error(errorMessage(e)),
  });
  const apply = useMutation({
    mutationFn: (policyId: string) =>
      unwrap(
        api.POST('/api/v1/projects/{projectId}/policies/{policyId}/images', {
          params: { path: { projectId: projectId!, policyId } },
          body: { imageIds: [imageId] },
        }),
      ),
    onSuccess: () => {
      setApplying(false);
      void qc.invalidateQueries({ queryKey: ['policies'] });
      void message.success(t('common.saved'));
    },
  });

  const ignoreFor = (fi: Finding): VulnIgnore | undefined =>
    (ignores.data?.items ?? []).find(
      (i) => !i.expired && i.vulnId === fi.refId && (i.package === '' || i.package === fi.package) && (i.imageId === null || i.imageId === imageId),
    );
  const layers = useMemo(() => {
    const m = new Map<string, { index: number; digest: string; createdBy: string; findings: number }>();
    for (const fi of findings.data?.items ?? []) {
      const l = dataOf<VulnData>(fi).layer;
      if (!l) continue;
      const e = m.get(l.digest) ?? { index: l.index, digest: l.digest, createdBy: l.createdBy ?? '', findings: 0 };
      e.findings++;
      m.set(l.digest, e);
    }
    for (const pk of packages.data?.items ?? [])
      if (pk.layerDigest && !m.has(pk.layerDigest)) m.set(pk.layerDigest, { index: -1, digest: pk.layerDigest, createdBy: '', findings: 0 });
    return [...m.values()].sort((a, b) => a.index - b.index);
  }, [findings.data, packages.data]);
  const sevFilter = f.get('severity');
  const vulns = (findings.data?.items ?? []).filter((x) => !sevFilter || x.severity === sevFilter);
  const im = image.data;
  const contentTab = (key: string, kind: ContentKind, label: string, count: number | undefined) => ({
    key,
    label: `${label} (${count ?? 0})`,
    children: f.get('tab') === key && <ContentFindings projectId={projectId!} imageId={imageId} kind={kind} />,
  });
  const writeIgnore = !!projectId && can('vuln:ignore', projectId);

  return (
    <QueryState query={image}>
      {im && (
        <>
          <h2 className="page-title">{im.ref}</h2>
          <Space style={{ marginBottom: 16 }} wrap>
            <Link to={`/images?project=${projectId}`}>{t('images.back')}</Link>
            {can('image:scan', projectId) && (
              <Button type="primary" loading={scanNow.isPending || (!!scanId && !scanDone)} onClick={() => scanNow.mutate()}>
                {t('images.scanNow')}
              </Button>
            )}
            {can('policy:apply', projectId) && <Button onClick={() => setApplying(true)}>{t('images.applyPolicy')}</Button>}
            {scan.data && (
              <span>
                {t('images.scanStatus')}: <StatusTag status={scan.data.status} /> {scan.data.error}
              </span>
            )}
          </Space>
          <Descriptions
            size="small"
            bordered
            column={{ xs: 1, md: 3 }}
            items={[
              { key: 'os', label: t('images.os'), children: `${im.osFamily} ${im.osVersion}`.trim() || '—' },
              { key: 'digest', label: t('images.digest'), children: im.digest || '—' },
              { key: 'scan', label: t('images.lastScan'), children: date(im.lastScanAt) },
              {
                key: 'counts',
                label: t('images.findings'),
                children: (
                  <Space>
                    <SeverityTag severity="critical" />
                    {im.critical}
                    <SeverityTag severity="high" />
                    {im.high}
                    <SeverityTag severity="medium" />
                    {im.medium}
                    <SeverityTag severity="low" />
                    {im.low}
                  </Space>
                ),
              },
            ]}
          />
          <Tabs
            style={{ marginTop: 16 }}
            activeKey={f.get('tab') || 'vulns'}
            onChange={(k) => f.set({ tab: k === 'vulns' ? undefined : k })}
            items={[
              {
                key: 'vulns',
                label: t('images.tabVulns'),
                children: (
                  <QueryState query={findings}>
                    <div className="toolbar">
                      <Select
                        aria-label={t('images.filterSeverity')}
                        placeholder={t('images.filterSeverity')}
                        allowClear
                        value={sevFilter || undefined}
                        onChange={(v?: string) => f.set({ severity: v })}
                        style={{ width: 160 }}
                        options={['critical', 'high', 'medium', 'low', 'unknown'].map((s) => ({ value: s, label: t(`severity.${s}` as 'severity.high') }))}
                      />
                    </div>
                    <Table<Finding>
                      rowKey="id"
                      size="small"
                      dataSource={vulns}
                      locale={{ emptyText: t('common.empty') }}
                      pagination={{ pageSize: 50 }}
                      columns={[
                        { title: t('images.vulnId'), dataIndex: 'refId', render: (v: string, r) => <span title={r.title}>{v}</span> },
                        { title: t('images.severity'), dataIndex: 'severity', render: (v: string) => <SeverityTag severity={v} /> },
                        { title: t('images.package'), dataIndex: 'package' },
                        { title: t('images.installed'), dataIndex: 'installedVersion' },
                        { title: t('images.fixedVersion'), dataIndex: 'fixedVersion', render: (v: string) => v || <Tag>{t('images.noFix')}</Tag> },
                        {
                          title: t('images.fixStatus'),
                          key: 'status',
                          render: (_v, r) => {
                            const st = dataOf<VulnData>(r).status;
                            return st ? t(`fix.${st}` as 'fix.fixed') : '—';
                          },
                        },
                        { title: t('images.cvss'), key: 'cvss', render: (_v, r) => cvssOf(r) },
                        {
                          title: t('images.layer'),
                          key: 'layer',
                          render: (_v, r) => {
                            const l = dataOf<VulnData>(r).layer;
                            return <span title={l?.createdBy}>{l ? `#${l.index}` : '—'}</span>;
                          },
                        },
                        {
                          title: t('images.ignore'),
                          key: 'ignored',
                          render: (_v, r) => {
                            const ig = ignoreFor(r);
                            if (!r.ignored && !ig)
                              return writeIgnore ? (
                                <Button size="small" onClick={() => setIgnoring(r)}>
                                  {t('images.ignoreAction')}
                                </Button>
                              ) : (
                                <span>—</span>
                              );
                            return (
                              <Space>
                                <Tag color="default" title={r.ignoreReason ?? ig?.reason}>
                                  {ig?.imageId === null ? t('images.ignoredAll') : t('images.ignoredImage')}
                                  {ig?.expiresAt ? ` · ${t('images.ignoredUntil', { date: date(ig.expiresAt) })}` : ''}
                                </Tag>
                                {writeIgnore && ig && (
                                  <Popconfirm
                                    title={t('images.cancelIgnoreConfirm')}
                                    okText={t('common.confirm')}
                                    cancelText={t('common.cancel')}
                                    onConfirm={() => cancelIgnore.mutate(ig)}
                                  >
                                    <Button size="small">{t('images.cancelIgnore')}</Button>
                                  </Popconfirm>
                                )}
                              </Space>
                            );
                          },
                        },
                      ]}
                    />
                  </QueryState>
                ),
              },
              {
                key: 'software',
                label: t('images.tabSoftware'),
                children: (
                  <QueryState query={packages}>
                    <Table<PackageRow>
                      rowKey="id"
                      size="small"
                      dataSource={packages.data?.items ?? []}
                      locale={{ emptyText: t('common.empty') }}
                      pagination={{ pageSize: 50 }}
                      columns={[
                        { title: t('images.package'), dataIndex: 'name' },
                        { title: t('images.version'), dataIndex: 'version' },
                        { title: t('images.type'), dataIndex: 'type' },
                        { title: t('images.source'), key: 'src', render: (_v, r) => (r.sourceName ? `${r.sourceName} ${r.sourceVersion ?? ''}` : '—') },
                        { title: t('images.layer'), dataIndex: 'layerDigest', render: (v: string) => <code>{v.slice(0, 19)}</code> },
                      ]}
                    />
                  </QueryState>
                ),
              },
              {
                key: 'layers',
                label: t('images.tabLayers'),
                children: (
                  <Table
                    rowKey="digest"
                    size="small"
                    dataSource={layers}
                    pagination={false}
                    locale={{ emptyText: t('common.empty') }}
                    columns={[
                      { title: '#', dataIndex: 'index', render: (v: number) => (v < 0 ? '—' : v) },
                      { title: t('images.digest'), dataIndex: 'digest', render: (v: string) => <code>{v.slice(0, 19)}</code> },
                      { title: t('images.createdBy'), dataIndex: 'createdBy', render: (v: string) => <code>{v || '—'}</code> },
                      { title: t('images.findings'), dataIndex: 'findings' },
                    ]}
                  />
                ),
              },
              contentTab('malware', 'malware', t('images.tabMalware'), im.malware),
              contentTab('secrets', 'secret', t('images.tabSecrets'), im.secrets),
              contentTab('baseline', 'baseline', t('images.tabBaseline'), im.baseline),
              contentTab('files', 'file', t('images.tabFiles'), im.unownedFiles),
            ]}
          />
          {ignoring && (
            <Suspense fallback={null}>
              <IgnoreDialog finding={ignoring} onClose={() => setIgnoring(undefined)} mutation={ignore} />
            </Suspense>
          )}
          <Modal title={t('images.applyPolicy')} open={applying} onCancel={() => setApplying(false)} footer={null} destroyOnHidden>
            <QueryState query={policies} empty={policies.data?.items.length === 0}>
              <Form layout="vertical" onFinish={(v: { policyId: string }) => apply.mutate(v.policyId)}>
                <Form.Item label={t('policies.policy')} name="policyId" rules={[{ required: true, message: t('common.required') }]}>
                  <Select
                    options={(policies.data?.items ?? []).map((x) => ({
                      value: x.id,
                      label: `${x.name} (${t(`policies.kind.${x.kind}` as 'policies.kind.process-whitelist')})`,
                    }))}
                  />
                </Form.Item>
                {apply.error && <Alert type="error" role="alert" message={errorMessage(apply.error)} />}
                <Button type="primary" htmlType="submit" loading={apply.isPending}>
                  {t('images.applyPolicy')}
                </Button>
              </Form>
            </QueryState>
          </Modal>
        </>
      )}
    </QueryState>
  );
}
