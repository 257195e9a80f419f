// Content findings of an image (malware, secrets, baseline checks, unowned
// files): one server-paged table per kind with its own columns; the
// severity and path filters and the cursor live in the URL.
import { Space, Table, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { dataOf, type BaselineData, type FileData, type Finding, type LayerRef, type MalwareData, type SecretData } from '../api/models';
import { useI18n } from '../i18n/i18n';
import { QueryState, SeverityTag, TAG, useUrlFilters } from './common';
import { FilterSearch, FilterSelect, Pager, useCursorPager } from './page';

export type ContentKind = 'malware' | 'secret' | 'baseline' | 'file';

const SEVERITIES: Record<ContentKind, string[]> = {
  malware: ['critical', 'high', 'medium', 'low'],
  secret: ['critical', 'high', 'medium', 'low'],
  baseline: ['critical', 'high', 'medium', 'low'],
  file: [],
};

function LayerCell({ layer }: { layer?: LayerRef }) {
  return <span title={layer?.createdBy}>{layer ? `#${layer.index}` : '—'}</span>;
}

function Hash({ value }: { value?: string }) {
  return value ? <code title={value}>{value.slice(0, 12)}</code> : <span>—</span>;
}

function useColumns(kind: ContentKind): ColumnsType<Finding> {
  const { t, num } = useI18n();
  const severity = { title: t('images.severity'), dataIndex: 'severity', render: (v: string) => <SeverityTag severity={v} /> };
  const deleted = (d?: { deleted?: boolean }) => (d?.deleted ? <Tag>{t('content.deleted')}</Tag> : null);
  switch (kind) {
    case 'malware':
      return [
        {
          title: t('content.file'),
          key: 'file',
          render: (_v, r) => (
            <Space size={4}>
              <code>{dataOf<MalwareData>(r).file}</code>
              {deleted(dataOf<MalwareData>(r))}
            </Space>
          ),
        },
        { title: t('content.rule'), key: 'rule', render: (_v, r) => <span title={dataOf<MalwareData>(r).description}>{r.refId}</span> },
        { title: t('content.family'), key: 'family', render: (_v, r) => dataOf<MalwareData>(r).family ?? '—' },
        severity,
        { title: t('content.sha256'), key: 'sha', render: (_v, r) => <Hash value={dataOf<MalwareData>(r).sha256} /> },
        { title: t('images.layer'), key: 'layer', render: (_v, r) => <LayerCell layer={dataOf<MalwareData>(r).layer} /> },
      ];
    case 'secret':
      return [
        {
          title: t('content.location'),
          key: 'file',
          render: (_v, r) => {
            const d = dataOf<SecretData>(r);
            return (
              <Space size={4}>
                <code>{`${d.file}:${d.line}`}</code>
                {deleted(d)}
              </Space>
            );
          },
        },
        { title: t('content.rule'), dataIndex: 'title' },
        severity,
        { title: t('content.match'), key: 'match', render: (_v, r) => <code className="secret-match">{dataOf<SecretData>(r).match}</code> },
        { title: t('images.layer'), key: 'layer', render: (_v, r) => <LayerCell layer={dataOf<SecretData>(r).layer} /> },
      ];
    case 'baseline':
      return [
        { title: t('content.check'), dataIndex: 'refId', render: (v: string) => <code>{v}</code> },
        severity,
        {
          title: t('content.finding'),
          key: 'title',
          render: (_v, r) => {
            const d = dataOf<BaselineData>(r);
            return (
              <Space direction="vertical" size={0}>
                <span>{d.title}</span>
                <span className="text-secondary">{d.detail}</span>
              </Space>
            );
          },
        },
        { title: t('content.file'), key: 'file', render: (_v, r) => (dataOf<BaselineData>(r).file ? <code>{dataOf<BaselineData>(r).file}</code> : '—') },
        { title: t('content.remedy'), key: 'remedy', render: (_v, r) => dataOf<BaselineData>(r).remedy },
      ];
    case 'file':
      return [
        { title: t('content.path'), key: 'path', render: (_v, r) => <code>{dataOf<FileData>(r).path}</code> },
        { title: t('content.size'), key: 'size', render: (_v, r) => num(dataOf<FileData>(r).size) },
        { title: t('content.mode'), key: 'mode', render: (_v, r) => <code>{(dataOf<FileData>(r).mode & 0o7777).toString(8).padStart(4, '0')}</code> },
        {
          title: t('content.flags'),
          key: 'flags',
          render: (_v, r) => {
            const d = dataOf<FileData>(r);
            return (
              <Space size={4} wrap>
                {d.setuid && <Tag color={TAG.red}>{t('content.setuid')}</Tag>}
                {d.executable && <Tag color={TAG.orange}>{t('content.executable')}</Tag>}
                {d.noise && <Tag title={d.noise}>{t('content.expected')}</Tag>}
              </Space>
            );
          },
        },
        { title: t('content.sha256'), key: 'sha', render: (_v, r) => <Hash value={dataOf<FileData>(r).sha256} /> },
        { title: t('images.layer'), key: 'layer', render: (_v, r) => <LayerCell layer={dataOf<FileData>(r).layer} /> },
      ];
  }
}

export function ContentFindings({ projectId, imageId, kind }: { projectId: string; imageId: string; kind: ContentKind }) {
  const { t } = useI18n();
  const f = useUrlFilters();
  const pager = useCursorPager(f);
  const columns = useColumns(kind);
  const query = {
    kind,
    limit: 50,
    cursor: f.get('cursor') || undefined,
    severity: (SEVERITIES[kind].length && f.get('severity')) || undefined,
    path: f.get('path') || undefined,
  };
  const q = useQuery({
    queryKey: ['findings', projectId, imageId, query],
    queryFn: () => unwrap(api.GET('/api/v1/projects/{projectId}/images/{imageId}/findings', { params: { path: { projectId, imageId }, query } })),
  });
  return (
    <>
      <div className="toolbar" role="search">
        <FilterSearch f={f} param="path" label={t('content.filterPath')} width={240} />
        {SEVERITIES[kind].length > 0 && (
          <FilterSelect
            f={f}
            param="severity"
            label={t('images.filterSeverity')}
            width={160}
            options={SEVERITIES[kind].map((s) => ({ value: s, label: t(`severity.${s}` as 'severity.high') }))}
          />
        )}
      </div>
      <QueryState query={q}>
        <Table<Finding>
          rowKey="id"
          size="small"
          dataSource={q.data?.items ?? []}
          locale={{ emptyText: t(`content.empty.${kind}` as 'content.empty.malware') }}
          pagination={false}
          columns={columns}
        />
        <Pager pager={pager} next={q.data?.next} />
      </QueryState>
    </>
  );
}
