// Images: server-side paged list with filters and sorting kept in the URL; add an image.
import { useState } from 'react';
import { Button, Checkbox, Form, Input, Modal, Select, Space, Table, Typography, message } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { api, unwrap } from '../api/client';
import type { Image, Page } from '../api/types';
import { useAuth } from '../auth';
import { useI18n } from '../i18n/i18n';
import { errorMessage, QueryState, SeverityTag, useProject, useUrlFilters } from '../components/common';

export function highestSeverity(im: Image): string {
  if (!im.lastScanId) return '';
  return im.critical ? 'critical' : im.high ? 'high' : im.medium ? 'medium' : im.low ? 'low' : 'none';
}

export default function Images() {
  const { t, relative } = useI18n();
  const { projectId } = useProject();
  const { can } = useAuth();
  const f = useUrlFilters();
  const qc = useQueryClient();
  const [adding, setAdding] = useState(false);
  const [cursors, setCursors] = useState<string[]>([]);
  const query = {
    limit: 20,
    cursor: f.get('cursor') || undefined,
    sort: f.get('sort') || undefined,
    repository: f.get('repository') || undefined,
    registry: f.get('registry') || undefined,
    minSeverity: (f.get('minSeverity') || undefined) as 'critical' | 'high' | 'medium' | 'low' | undefined,
    scanned: f.get('scanned') === '' ? undefined : f.get('scanned') === 'true',
  };
  const q = useQuery({
    queryKey: ['images', projectId, query],
    enabled: !!projectId,
    queryFn: () => unwrap<Page<Image>>(api.GET('/api/v1/projects/{projectId}/images', { params: { path: { projectId: projectId! }, query } })),
  });
  const add = useMutation({
    mutationFn: (v: { ref: string; scan: boolean }) =>
      unwrap<{ id: string }>(api.POST('/api/v1/projects/{projectId}/images', { params: { path: { projectId: projectId! } }, body: v })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['images'] });
      setAdding(false);
      void message.success(t('common.saved'));
    },
  });
  const sort = f.get('sort');
  const order = (k: string) => (sort === k ? ('ascend' as const) : sort === `-${k}` ? ('descend' as const) : null);
  return (
    <>
      <Typography.Title level={2} className="page-title">
        {t('nav.images')}
      </Typography.Title>
      <div className="toolbar" role="search">
        <Input.Search
          aria-label={t('images.filterRepository')}
          placeholder={t('images.filterRepository')}
          defaultValue={f.get('repository')}
          allowClear
          onSearch={(v) => f.set({ repository: v })}
          style={{ width: 240 }}
        />
        <Input.Search
          aria-label={t('images.filterRegistry')}
          placeholder={t('images.filterRegistry')}
          defaultValue={f.get('registry')}
          allowClear
          onSearch={(v) => f.set({ registry: v })}
          style={{ width: 200 }}
        />
        <Select
          aria-label={t('images.filterSeverity')}
          placeholder={t('images.filterSeverity')}
          value={f.get('minSeverity') || undefined}
          allowClear
          onChange={(v?: string) => f.set({ minSeverity: v })}
          style={{ width: 180 }}
          options={['critical', 'high', 'medium', 'low'].map((s) => ({
            value: s,
            label: t('images.atLeast', { severity: t(`severity.${s}` as 'severity.high') }),
          }))}
        />
        <Select
          aria-label={t('images.filterScanned')}
          placeholder={t('images.filterScanned')}
          value={f.get('scanned') || undefined}
          allowClear
          onChange={(v?: string) => f.set({ scanned: v })}
          style={{ width: 150 }}
          options={[
            { value: 'true', label: t('images.scanned') },
            { value: 'false', label: t('images.notScanned') },
          ]}
        />
        {projectId && can('image:create', projectId) && (
          <Button type="primary" onClick={() => setAdding(true)}>
            {t('images.add')}
          </Button>
        )}
      </div>
      <QueryState query={q}>
        <Table<Image>
          rowKey="id"
          dataSource={q.data?.items ?? []}
          pagination={false}
          locale={{ emptyText: t('common.empty') }}
          onChange={(_p, _f, s) => {
            const one = Array.isArray(s) ? s[0] : s;
            f.set({ sort: one?.order ? `${one.order === 'descend' ? '-' : ''}${String(one.field)}` : undefined });
            setCursors([]);
          }}
          columns={[
            {
              title: t('images.ref'),
              dataIndex: 'ref',
              key: 'ref',
              sorter: true,
              sortOrder: order('ref'),
              render: (v: string, r) => <Link to={`/images/${r.id}?project=${projectId}`}>{v}</Link>,
            },
            { title: t('images.os'), key: 'os', render: (_v, r) => `${r.osFamily} ${r.osVersion}`.trim() || '—' },
            {
              title: t('images.highest'),
              key: 'highest',
              render: (_v, r) => {
                const s = highestSeverity(r);
                return s === '' ? t('images.notScanned') : s === 'none' ? t('images.noFindings') : <SeverityTag severity={s} />;
              },
            },
            { title: t('severity.critical'), dataIndex: 'critical', key: 'critical', sorter: true, sortOrder: order('critical') },
            { title: t('severity.high'), dataIndex: 'high', key: 'high', sorter: true, sortOrder: order('high') },
            { title: t('severity.medium'), dataIndex: 'medium', key: 'medium' },
            { title: t('severity.low'), dataIndex: 'low', key: 'low' },
            { title: t('images.lastScan'), dataIndex: 'lastScanAt', key: 'lastScanAt', render: (v: string | null) => relative(v) },
          ]}
        />
        <Space style={{ marginTop: 12 }}>
          <Button
            disabled={!f.get('cursor')}
            onClick={() => {
              const prev = cursors.slice(0, -1);
              setCursors(prev);
              f.set({ cursor: prev[prev.length - 1] });
            }}
          >
            {t('common.prev')}
          </Button>
          <Button
            disabled={!q.data?.next}
            onClick={() => {
              setCursors([...cursors, q.data!.next!]);
              f.set({ cursor: q.data!.next });
            }}
          >
            {t('common.next')}
          </Button>
        </Space>
      </QueryState>
      <Modal title={t('images.add')} open={adding} onCancel={() => setAdding(false)} footer={null} destroyOnHidden>
        <Form layout="vertical" onFinish={(v: { ref: string; scan?: boolean }) => add.mutate({ ref: v.ref, scan: !!v.scan })} initialValues={{ scan: true }}>
          <Form.Item label={t('images.ref')} name="ref" extra={t('images.refHelp')} rules={[{ required: true, message: t('common.required') }]}>
            <Input />
          </Form.Item>
          <Form.Item name="scan" valuePropName="checked">
            <Checkbox>{t('images.scanNow')}</Checkbox>
          </Form.Item>
          {add.error && (
            <Typography.Text type="danger" role="alert">
              {errorMessage(add.error)}
            </Typography.Text>
          )}
          <Form.Item>
            <Button type="primary" htmlType="submit" loading={add.isPending}>
              {t('common.save')}
            </Button>
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
