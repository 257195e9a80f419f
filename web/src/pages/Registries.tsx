// Registries: add with credentials (write-only: never shown again), sync, remove.
import { Button, Checkbox, Form, Input, Space } from 'antd';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { BodyOf, Registry } from '../api/models';
import { useAuth } from '../auth';
import { useI18n } from '../i18n/i18n';
import { QueryState, useProject } from '../components/common';
import { AddToolbar, ConfirmDelete, DataTable, FormModal, PageTitle, RequiredItem, useAction, useAddForm } from '../components/page';
import { message } from '../components/message';

type RegistryForm = BodyOf<'/api/v1/projects/{projectId}/registries'>;

export default function Registries() {
  const { t, date } = useI18n();
  const { projectId } = useProject();
  const { can } = useAuth();
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: ['registries', projectId],
    enabled: !!projectId,
    queryFn: () => unwrap(api.GET('/api/v1/projects/{projectId}/registries', { params: { path: { projectId: projectId! }, query: { limit: 500 } } })),
  });
  const done = () => {
    void qc.invalidateQueries({ queryKey: ['registries'] });
    void message.success(t('common.saved'));
  };
  const add = useAddForm(
    (v: RegistryForm) =>
      unwrap(api.POST('/api/v1/projects/{projectId}/registries', { params: { path: { projectId: projectId! } }, body: { ...v, insecure: !!v.insecure } })),
    done,
  );
  const sync = useAction(
    (id: string) =>
      unwrap(api.POST('/api/v1/projects/{projectId}/registries/{registryId}/sync', { params: { path: { projectId: projectId!, registryId: id } } })),
    done,
  );
  const del = useAction(
    (id: string) => unwrap(api.DELETE('/api/v1/projects/{projectId}/registries/{registryId}', { params: { path: { projectId: projectId!, registryId: id } } })),
    done,
  );
  return (
    <>
      <PageTitle>{t('nav.registries')}</PageTitle>
      <AddToolbar allowed={!!projectId && can('registry:create', projectId)} label={t('registries.add')} onAdd={add.show} />
      <QueryState query={q}>
        <DataTable<Registry>
          dataSource={q.data?.items ?? []}
          columns={[
            { title: t('registries.name'), dataIndex: 'name' },
            { title: t('registries.url'), dataIndex: 'url' },
            { title: t('registries.username'), dataIndex: 'username', render: (v: string) => v || '—' },
            { title: t('registries.lastSync'), dataIndex: 'lastSyncAt', render: (v: string | null) => (v ? date(v) : t('registries.never')) },
            {
              title: t('common.actions'),
              key: 'a',
              render: (_v, r) => (
                <Space>
                  {can('registry:sync', projectId) && (
                    <Button size="small" loading={sync.isPending && sync.variables === r.id} onClick={() => sync.mutate(r.id)}>
                      {t('registries.sync')}
                    </Button>
                  )}
                  {can('registry:delete', projectId) && (
                    <ConfirmDelete title={t('registries.deleteConfirm', { name: r.name })} onConfirm={() => del.mutate(r.id)} />
                  )}
                </Space>
              ),
            },
          ]}
        />
      </QueryState>
      <FormModal title={t('registries.add')} form={add}>
        <RequiredItem label={t('registries.name')} name="name">
          <Input />
        </RequiredItem>
        <RequiredItem label={t('registries.url')} name="url">
          <Input placeholder={t('registries.urlPlaceholder')} />
        </RequiredItem>
        <Form.Item label={t('registries.username')} name="username">
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item label={t('registries.password')} name="password" extra={t('registries.passwordHelp')}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item name="insecure" valuePropName="checked">
          <Checkbox>{t('registries.insecure')}</Checkbox>
        </Form.Item>
      </FormModal>
    </>
  );
}
