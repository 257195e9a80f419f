// Audit trail: filters (event, user, project, time), paging by sequence
// number, export of what the filters select (JSON lines, CSV) and the hash
// chain's verification status.
import { Alert, Button, Space, Table, Tag } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { api, loadSession, unwrap } from '../api/client';
import type { AuditRecord } from '../api/models';
import { useI18n } from '../i18n/i18n';
import { errorMessage, QueryState, TAG, useProjects, useUrlFilters } from '../components/common';
import { PageTitle } from '../components/page';
import { FilterToolbar, filterTime } from '../components/FilterToolbar';
import { message } from '../components/message';

type AuditFilters = { event?: string; project?: string; user?: string; since?: string; until?: string };

/** Downloads what the current filters select (the server streams it; the whole trail without filters). */
async function download(format: 'jsonl' | 'csv', filters: AuditFilters): Promise<void> {
  const q = new URLSearchParams({ format });
  for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v);
  const r = await fetch(`/api/v1/audit/export?${q}`, { headers: { authorization: `Bearer ${loadSession()?.token ?? ''}` } });
  if (!r.ok) throw new Error(((await r.json().catch(() => ({}))) as { message?: string }).message ?? r.statusText);
  const url = URL.createObjectURL(await r.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = `vigil-audit.${format}`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export default function Audit() {
  const { t, date } = useI18n();
  const f = useUrlFilters();
  const projects = useProjects();
  // The page position is the URL's `cursor` (a sequence number), reset by every filter change.
  const after = f.get('cursor') ? Number(f.get('cursor')) : undefined;
  // Every filter runs on the server; the export sends the same ones.
  const filters: AuditFilters = {
    event: f.get('event') || undefined,
    project: f.get('inProject') || undefined,
    user: f.get('user') || undefined,
    since: filterTime(f.get('since')),
    until: filterTime(f.get('until')),
  };
  const query = { ...filters, after, limit: 100 };
  const q = useQuery({
    queryKey: ['audit', query],
    queryFn: () => unwrap(api.GET('/api/v1/audit', { params: { query } })),
  });
  const verify = useQuery({ queryKey: ['audit-verify'], queryFn: () => unwrap(api.GET('/api/v1/audit/verify')) });
  const rows = q.data?.items ?? [];
  return (
    <>
      <PageTitle>{t('nav.audit')}</PageTitle>
      <QueryState query={verify}>
        {verify.data &&
          (verify.data.ok ? (
            // Verified, but without a signed checkpoint the removal of the newest records could not be detected: said plainly.
            <Alert
              type={verify.data.warning ? 'warning' : 'success'}
              showIcon
              data-testid="chain-status"
              message={t('audit.chainOk', { n: verify.data.records })}
              description={
                verify.data.warning
                  ? t('audit.noCheckpoint')
                  : verify.data.checkpoint && t('audit.checkpoint', { seq: verify.data.checkpoint.seq, time: date(verify.data.checkpoint.time) })
              }
              style={{ marginBottom: 16 }}
            />
          ) : (
            <Alert
              type="error"
              showIcon
              data-testid="chain-status"
              message={t('audit.chainBad', { seq: verify.data.bad?.seq ?? '?', reason: verify.data.bad?.reason ?? '' })}
              style={{ marginBottom: 16 }}
            />
          ))}
      </QueryState>
      <FilterToolbar
        f={f}
        filters={[
          { kind: 'search', param: 'event', label: t('audit.event'), width: 200 },
          { kind: 'search', param: 'user', label: t('audit.user'), width: 180 },
          {
            kind: 'select',
            param: 'inProject',
            label: t('audit.project'),
            width: 180,
            options: (projects.data?.items ?? []).map((p) => ({ value: p.id, label: p.name })),
          },
          { kind: 'text', param: 'since', label: t('audit.since'), placeholder: t('audit.sinceHint'), width: 200 },
          { kind: 'text', param: 'until', label: t('audit.until'), placeholder: t('audit.untilHint'), width: 200 },
        ]}
      >
        <Space>
          <Button onClick={() => download('csv', filters).catch((e) => void message.error(errorMessage(e)))}>{t('audit.exportCsv')}</Button>
          <Button onClick={() => download('jsonl', filters).catch((e) => void message.error(errorMessage(e)))}>{t('audit.exportJsonl')}</Button>
        </Space>
      </FilterToolbar>
      <QueryState query={q}>
        {/* antd's Table: the rows expand to the record's summary (the console's DataTable has no expandable rows). */}
        <Table<AuditRecord>
          rowKey="seq"
          size="small"
          pagination={false}
          locale={{ emptyText: t('common.empty') }}
          dataSource={rows}
          expandable={{ expandedRowRender: (r) => <pre className="json">{JSON.stringify(r.summary, null, 2)}</pre> }}
          columns={[
            { title: '#', dataIndex: 'seq' },
            { title: t('audit.time'), dataIndex: 'time', render: (v: string) => date(v) },
            { title: t('audit.user'), dataIndex: 'username' },
            { title: t('audit.event'), dataIndex: 'event', render: (v: string) => <code>{v}</code> },
            { title: t('audit.resource'), key: 'res', render: (_v, r) => `${r.resourceType} ${r.resourceId}`.trim() },
            { title: t('audit.source'), dataIndex: 'sourceIp' },
            {
              title: t('audit.result'),
              dataIndex: 'result',
              render: (v: string) => <Tag color={v === 'success' ? TAG.green : TAG.red}>{t(v === 'success' ? 'audit.success' : 'audit.failure')}</Tag>,
            },
          ]}
        />
        <Space style={{ marginTop: 12 }}>
          <Button disabled={after === undefined} onClick={() => f.set({ cursor: undefined })}>
            {t('common.first')}
          </Button>
          <Button disabled={(q.data?.items.length ?? 0) < 100} onClick={() => f.set({ cursor: String(q.data?.next ?? '') })}>
            {t('common.next')}
          </Button>
        </Space>
      </QueryState>
    </>
  );
}
