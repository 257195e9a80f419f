// Audit trail: filters (event, user, project, time), paging by sequence
// number, export (JSON lines, CSV) and the hash chain's verification status.
import { Alert, Button, Input, Space, Tag } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { api, loadSession, unwrap } from '../api/client';
import type { AuditRecord } from '../api/models';
import { useI18n } from '../i18n/i18n';
import { errorMessage, QueryState, TAG, useProjects, useUrlFilters } from '../components/common';
import { DataTable, FilterSearch, FilterSelect, PageTitle } from '../components/page';
import { message } from '../components/message';

async function download(format: 'jsonl' | 'csv'): Promise<void> {
  const r = await fetch(`/api/v1/audit/export?format=${format}`, { headers: { authorization: `Bearer ${loadSession()?.token ?? ''}` } });
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
  const since = f.get('since');
  const until = f.get('until');
  // Every filter runs on the server (a date typed as 2026-01-31 is read as that day's UTC midnight).
  const iso = (v?: string | null) => {
    const d = v ? new Date(v) : undefined;
    return d && !Number.isNaN(d.getTime()) ? d.toISOString() : undefined;
  };
  const query = {
    event: f.get('event') || undefined,
    project: f.get('inProject') || undefined,
    user: f.get('user') || undefined,
    since: iso(since),
    until: iso(until),
    after,
    limit: 100,
  };
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
      <div className="toolbar" role="search">
        <FilterSearch f={f} param="event" label={t('audit.event')} width={200} />
        <FilterSearch f={f} param="user" label={t('audit.user')} width={180} />
        <FilterSelect
          f={f}
          param="inProject"
          label={t('audit.project')}
          width={180}
          options={(projects.data?.items ?? []).map((p) => ({ value: p.id, label: p.name }))}
        />
        {(['since', 'until'] as const).map((k) => (
          <Input
            key={k}
            aria-label={t(`audit.${k}`)}
            placeholder={t(`audit.${k}Hint`)}
            defaultValue={f.get(k)}
            onPressEnter={(e) => f.set({ [k]: (e.target as HTMLInputElement).value })}
            style={{ width: 200 }}
          />
        ))}
        <Space>
          <Button onClick={() => download('csv').catch((e) => void message.error(errorMessage(e)))}>{t('audit.exportCsv')}</Button>
          <Button onClick={() => download('jsonl').catch((e) => void message.error(errorMessage(e)))}>{t('audit.exportJsonl')}</Button>
        </Space>
      </div>
      <QueryState query={q}>
        <DataTable<AuditRecord>
          rowKey="seq"
          size="small"
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
