// Alerts: alert groups with filters in the URL (status, severity, type,
// node, container, time range, end time), detail (process, container,
// Kubernetes request, raw JSON) at /alerts/:id, and status changes on one
// or many groups (handled, ignored, false positive).
import { useState } from 'react';
import { Alert, Button, Descriptions, Drawer, Popconfirm, Space } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate, useParams } from 'react-router-dom';
import { api, unwrap } from '../api/client';
import { ALERT_RANGES, ALERT_SEVERITIES, ALERT_STATUSES, alertsQuery } from '../api/queries';
import type { AlertRow } from '../api/models';
import { useAuth } from '../auth';
import { useI18n } from '../i18n/i18n';
import { errorMessage, QueryState, RelativeTime, SeverityTag, StatusTag, useProject, useUrlFilters } from '../components/common';
import { DataTable, PageTitle, Pager, useCursorPager } from '../components/page';
import { FilterToolbar, selectFilter } from '../components/FilterToolbar';
import { message } from '../components/message';

const STATUSES = ALERT_STATUSES;
const SEVERITIES = ALERT_SEVERITIES;
const RANGES = ALERT_RANGES;

export default function Alerts() {
  const { t, date } = useI18n();
  const { alertId } = useParams();
  const { projectId } = useProject();
  const { can } = useAuth();
  const f = useUrlFilters();
  const nav = useNavigate();
  const qc = useQueryClient();
  const [selected, setSelected] = useState<string[]>([]);
  const pager = useCursorPager(f);
  const q = useQuery({ ...alertsQuery(projectId, f.get), enabled: !!projectId });
  const detail = useQuery({
    queryKey: ['alert', projectId, alertId],
    enabled: !!projectId && !!alertId,
    queryFn: () => unwrap(api.GET('/api/v1/projects/{projectId}/alerts/{alertId}', { params: { path: { projectId: projectId!, alertId: alertId! } } })),
  });
  const setStatus = useMutation({
    mutationFn: async (v: { ids: string[]; status: (typeof STATUSES)[number] }) => {
      for (const id of v.ids)
        await unwrap(
          api.PATCH('/api/v1/projects/{projectId}/alerts/{alertId}', { params: { path: { projectId: projectId!, alertId: id } }, body: { status: v.status } }),
        );
      return v.ids.length;
    },
    onSuccess: (n) => {
      setSelected([]);
      void qc.invalidateQueries({ queryKey: ['alerts'] });
      void qc.invalidateQueries({ queryKey: ['alert'] });
      void message.success(t('alerts.updated', { n }));
    },
    onError: (e) => void message.error(errorMessage(e)),
  });
  const writable = !!projectId && can('alert:update', projectId);
  const actions = (ids: string[]) => (
    <Space wrap>
      {(['handled', 'ignored', 'false-positive'] as const).map((s) => (
        <Popconfirm
          key={s}
          title={t('alerts.confirm', { n: ids.length, status: t(`status.${s}`) })}
          okText={t('common.confirm')}
          cancelText={t('common.cancel')}
          onConfirm={() => setStatus.mutate({ ids, status: s })}
          disabled={!ids.length}
        >
          <Button disabled={!ids.length} loading={setStatus.isPending}>
            {t(`alerts.mark.${s}`)}
          </Button>
        </Popconfirm>
      ))}
    </Space>
  );
  const a = detail.data;
  const sample = (a?.sample ?? {}) as Record<string, any>;
  const back = () => nav({ pathname: '/alerts', search: window.location.search });
  return (
    <>
      <PageTitle>{t('nav.alerts')}</PageTitle>
      <FilterToolbar
        f={f}
        filters={[
          selectFilter('status', t('alerts.status'), 150, STATUSES, (s) => t(`status.${s}` as 'status.open')),
          selectFilter('severity', t('alerts.severity'), 140, SEVERITIES, (s) => t(`severity.${s}` as 'severity.high')),
          { kind: 'search', param: 'type', label: t('alerts.type'), placeholder: t('alerts.typeHint'), width: 260 },
          { kind: 'search', param: 'node', label: t('alerts.host'), width: 180 },
          { kind: 'search', param: 'container', label: t('alerts.filterContainer'), width: 220 },
          selectFilter('range', t('alerts.range'), 150, Object.keys(RANGES), (r) => t(`alerts.range.${r}` as 'alerts.range.1h')),
          { kind: 'text', param: 'until', label: t('alerts.until'), placeholder: t('alerts.untilHint'), width: 240 },
        ]}
      />
      {writable && (
        <div className="toolbar">
          <span>{t('alerts.selected', { n: selected.length })}</span>
          {actions(selected)}
        </div>
      )}
      <QueryState query={q}>
        <DataTable<AlertRow>
          size="small"
          dataSource={q.data?.items ?? []}
          rowSelection={writable ? { selectedRowKeys: selected, onChange: (k) => setSelected(k as string[]) } : undefined}
          columns={[
            { title: t('alerts.severity'), dataIndex: 'severity', render: (v: string) => <SeverityTag severity={v} /> },
            {
              title: t('alerts.type'),
              dataIndex: 'type',
              render: (v: string, r) => (
                <a
                  href={`/alerts/${r.id}${window.location.search}`}
                  onClick={(e) => {
                    e.preventDefault();
                    nav({ pathname: `/alerts/${r.id}`, search: window.location.search });
                  }}
                >
                  {v}
                </a>
              ),
            },
            { title: t('alerts.message'), dataIndex: 'message', ellipsis: true },
            { title: t('alerts.host'), dataIndex: 'host' },
            { title: t('alerts.containerName'), dataIndex: 'containerName' },
            { title: t('alerts.count'), dataIndex: 'count' },
            { title: t('alerts.status'), dataIndex: 'status', render: (v: string) => <StatusTag status={v} /> },
            { title: t('alerts.lastSeen'), dataIndex: 'lastSeen', render: (v: string) => <RelativeTime iso={v} /> },
          ]}
        />
        <Pager pager={pager} next={q.data?.next} />
      </QueryState>
      <Drawer open={!!alertId} onClose={back} width={720} title={a ? a.type : t('alerts.detail')} closable={{ 'aria-label': t('common.close') }}>
        <QueryState query={detail}>
          {a && (
            <>
              {writable && <div className="toolbar">{actions([a.id])}</div>}
              <Descriptions
                size="small"
                bordered
                column={1}
                items={[
                  { key: 'sev', label: t('alerts.severity'), children: <SeverityTag severity={a.severity} /> },
                  { key: 'status', label: t('alerts.status'), children: <StatusTag status={a.status} /> },
                  { key: 'msg', label: t('alerts.message'), children: a.message },
                  { key: 'rule', label: t('alerts.rule'), children: a.rule },
                  { key: 'host', label: t('alerts.host'), children: a.host },
                  { key: 'subject', label: t('alerts.subject'), children: a.subject },
                  { key: 'count', label: t('alerts.count'), children: a.count },
                  { key: 'first', label: t('alerts.firstSeen'), children: date(a.firstSeen) },
                  { key: 'last', label: t('alerts.lastSeen'), children: date(a.lastSeen) },
                  ...(sample.process
                    ? [{ key: 'proc', label: t('alerts.process'), children: <code>{String(sample.process.cmdline ?? sample.process.name)}</code> }]
                    : []),
                  ...(sample.process?.parents?.length
                    ? [
                        {
                          key: 'tree',
                          label: t('alerts.processTree'),
                          children: (
                            <code>{(sample.process.parents as { name?: string; exepath?: string }[]).map((x) => x.name ?? x.exepath).join(' ← ')}</code>
                          ),
                        },
                      ]
                    : []),
                  ...(sample.container
                    ? [
                        {
                          key: 'ctr',
                          label: t('alerts.container'),
                          children: `${sample.container.name ?? sample.container.id?.slice(0, 12)} (${sample.container.image ?? ''})`,
                        },
                      ]
                    : []),
                  ...(sample.k8s
                    ? [
                        {
                          key: 'k8s',
                          label: t('alerts.k8s'),
                          children: `${sample.k8s.user ?? ''} ${sample.k8s.verb ?? ''} ${sample.k8s.resource ?? ''} ${sample.k8s.namespace ?? ''}/${sample.k8s.name ?? ''}`,
                        },
                      ]
                    : []),
                ]}
              />
              <h3 className="section-title" style={{ fontSize: 16, marginTop: 16 }}>
                {t('alerts.raw')}
              </h3>
              <pre className="json" tabIndex={0} aria-label={t('alerts.raw')}>
                {JSON.stringify(a.sample ?? a, null, 2)}
              </pre>
            </>
          )}
        </QueryState>
        {setStatus.error && <Alert type="error" role="alert" message={errorMessage(setStatus.error)} />}
      </Drawer>
    </>
  );
}
