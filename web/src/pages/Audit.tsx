// Audit trail: filters (event, user, project, time), paging by sequence
// number, export (JSON lines, CSV) and the hash chain's verification status.
import { Alert, Button, Input, Select, Space, Table, Tag, Typography, message } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { api, loadSession, unwrap } from '../api/client';
import type { AuditRecord, AuditVerify, Page } from '../api/types';
import { useI18n } from '../i18n/i18n';
import { errorMessage, QueryState, TAG, useProjects, useUrlFilters } from '../components/common';

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
  const after = f.get('after') ? Number(f.get('after')) : undefined;
  const query = { event: f.get('event') || undefined, project: f.get('inProject') || undefined, after, limit: 100 };
  const q = useQuery({
    queryKey: ['audit', query],
    queryFn: () => unwrap<Page<AuditRecord> & { next?: number }>(api.GET('/api/v1/audit', { params: { query } })),
  });
  const verify = useQuery({ queryKey: ['audit-verify'], queryFn: () => unwrap<AuditVerify>(api.GET('/api/v1/audit/verify')) });
  const user = f.get('user');
  const since = f.get('since');
  // The API filters by event and project; user and start time narrow the loaded page.
  const rows = (q.data?.items ?? []).filter((r) => (!user || r.username === user) && (!since || r.time >= since));
  return (
    <>
      <Typography.Title level={2} className="page-title">
        {t('nav.audit')}
      </Typography.Title>
      <QueryState query={verify}>
        {verify.data &&
          (verify.data.ok ? (
            <Alert type="success" showIcon data-testid="chain-status" message={t('audit.chainOk', { n: verify.data.records })} style={{ marginBottom: 16 }} />
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
        <Input.Search
          aria-label={t('audit.event')}
          placeholder={t('audit.event')}
          defaultValue={f.get('event')}
          allowClear
          onSearch={(v) => f.set({ event: v, after: undefined })}
          style={{ width: 200 }}
        />
        <Input.Search
          aria-label={t('audit.user')}
          placeholder={t('audit.user')}
          defaultValue={user}
          allowClear
          onSearch={(v) => f.set({ user: v })}
          style={{ width: 180 }}
        />
        <Select
          aria-label={t('audit.project')}
          placeholder={t('audit.project')}
          allowClear
          value={f.get('inProject') || undefined}
          onChange={(v?: string) => f.set({ inProject: v, after: undefined })}
          style={{ width: 180 }}
          options={(projects.data?.items ?? []).map((p) => ({ value: p.id, label: p.name }))}
        />
        <Input
          aria-label={t('audit.since')}
          placeholder={t('audit.sinceHint')}
          defaultValue={since}
          onPressEnter={(e) => f.set({ since: (e.target as HTMLInputElement).value })}
          style={{ width: 200 }}
        />
        <Space>
          <Button onClick={() => download('csv').catch((e) => void message.error(errorMessage(e)))}>{t('audit.exportCsv')}</Button>
          <Button onClick={() => download('jsonl').catch((e) => void message.error(errorMessage(e)))}>{t('audit.exportJsonl')}</Button>
        </Space>
      </div>
      <QueryState query={q}>
        <Table<AuditRecord>
          rowKey="seq"
          size="small"
          dataSource={rows}
          pagination={false}
          locale={{ emptyText: t('common.empty') }}
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
          <Button disabled={after === undefined} onClick={() => f.set({ after: undefined })}>
            {t('common.first')}
          </Button>
          <Button disabled={(q.data?.items.length ?? 0) < 100} onClick={() => f.set({ after: String(q.data?.next ?? '') })}>
            {t('common.next')}
          </Button>
        </Space>
      </QueryState>
    </>
  );
}
