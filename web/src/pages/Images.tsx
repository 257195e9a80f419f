// Images: server-side paged list with filters and sorting kept in the URL; add an image.
import { Button, Checkbox, Form, Input } from 'antd';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { api, unwrap } from '../api/client';
import { imagesQuery } from '../api/queries';
import type { Image } from '../api/models';
import { useAuth } from '../auth';
import { useI18n } from '../i18n/i18n';
import { QueryState, SeverityTag, useProject, useUrlFilters } from '../components/common';
import { DataTable, FormModal, PageTitle, Pager, RequiredItem, useAddForm, useCursorPager, yesNo } from '../components/page';
import { FilterToolbar, selectFilter } from '../components/FilterToolbar';
import { message } from '../components/message';

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
  const pager = useCursorPager(f);
  const q = useQuery({ ...imagesQuery(projectId, f.get), enabled: !!projectId });
  const add = useAddForm(
    (v: { ref: string; scan?: boolean }) =>
      unwrap(api.POST('/api/v1/projects/{projectId}/images', { params: { path: { projectId: projectId! } }, body: { ref: v.ref, scan: !!v.scan } })),
    () => {
      void qc.invalidateQueries({ queryKey: ['images'] });
      void message.success(t('common.saved'));
    },
  );
  const sort = f.get('sort');
  const order = (k: string) => (sort === k ? ('ascend' as const) : sort === `-${k}` ? ('descend' as const) : null);
  return (
    <>
      <PageTitle>{t('nav.images')}</PageTitle>
      <FilterToolbar
        f={f}
        filters={[
          { kind: 'search', param: 'name', label: t('images.filterName'), width: 240 },
          { kind: 'search', param: 'repository', label: t('images.filterRepository'), width: 200 },
          { kind: 'search', param: 'registry', label: t('images.filterRegistry'), width: 200 },
          selectFilter('minSeverity', t('images.filterSeverity'), 180, ['critical', 'high', 'medium', 'low'], (s) =>
            t('images.atLeast', { severity: t(`severity.${s}` as 'severity.high') }),
          ),
          { kind: 'select', param: 'scanned', label: t('images.filterScanned'), width: 150, options: yesNo(t('images.scanned'), t('images.notScanned')) },
          selectFilter('scanStatus', t('images.filterScanStatus'), 170, ['queued', 'running', 'succeeded', 'failed'], (v) =>
            t(`status.${v}` as 'status.failed'),
          ),
          { kind: 'select', param: 'fixable', label: t('images.filterFixable'), width: 170, options: yesNo(t('images.fixable'), t('images.notFixable')) },
        ]}
      >
        {projectId && can('image:create', projectId) && (
          <Button type="primary" onClick={add.show}>
            {t('images.add')}
          </Button>
        )}
      </FilterToolbar>
      <QueryState query={q}>
        <DataTable<Image>
          dataSource={q.data?.items ?? []}
          onSort={(field, order) => {
            f.set({ sort: order ? `${order === 'descend' ? '-' : ''}${field}` : undefined });
            pager.reset();
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
        <Pager pager={pager} next={q.data?.next} />
      </QueryState>
      <FormModal title={t('images.add')} form={add} initialValues={{ scan: true }}>
        <RequiredItem label={t('images.ref')} name="ref" extra={t('images.refHelp')}>
          <Input />
        </RequiredItem>
        <Form.Item name="scan" valuePropName="checked">
          <Checkbox>{t('images.scanNow')}</Checkbox>
        </Form.Item>
      </FormModal>
    </>
  );
}
