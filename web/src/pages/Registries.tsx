// Registries: add with credentials (write-only: never shown again, only
// whether one is stored), edit (an empty password keeps the stored one),
// sync (with what it found), remove; the project's scan schedule (the cron
// of its daily rescan, which rescans every image the syncs brought in).
import { useState } from 'react';
import { Button, Card, Checkbox, Form, Input, Space, Tag } from 'antd';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { BodyOf, Registry } from '../api/models';
import { useAuth } from '../auth';
import { useI18n } from '../i18n/i18n';
import { useProject } from '../components/common';
import { FormModal, ListSection, PageTitle, RequiredItem, RowActions, useAction, useAddForm } from '../components/page';
import { message } from '../components/message';

type RegistryForm = BodyOf<'/api/v1/projects/{projectId}/registries'>;

/** The project's rescan schedule (PATCH /projects/{id} rescanCron, validated by the server). */
function Schedule({ projectId }: { projectId: string }) {
  const { t } = useI18n();
  const { can } = useAuth();
  const qc = useQueryClient();
  const { projects } = useProject();
  const cron = projects.find((p) => p.id === projectId)?.rescanCron ?? '';
  const save = useAction(
    (v: { rescanCron: string }) => unwrap(api.PATCH('/api/v1/projects/{projectId}', { params: { path: { projectId } }, body: { rescanCron: v.rescanCron } })),
    () => {
      void qc.invalidateQueries({ queryKey: ['projects'] });
      void message.success(t('common.saved'));
    },
  );
  return (
    <Card title={t('registries.schedule')} style={{ marginTop: 16, maxWidth: 640 }}>
      <Form key={cron} layout="inline" initialValues={{ rescanCron: cron }} onFinish={(v: { rescanCron: string }) => save.mutate(v)}>
        <RequiredItem label={t('registries.rescanCron')} name="rescanCron" extra={t('registries.rescanCronHelp')}>
          <Input style={{ width: 200 }} disabled={!can('project:update', projectId)} />
        </RequiredItem>
        {can('project:update', projectId) && (
          <Button htmlType="submit" loading={save.isPending}>
            {t('common.save')}
          </Button>
        )}
      </Form>
    </Card>
  );
}

export default function Registries() {
  const { t, date, num } = useI18n();
  const { projectId } = useProject();
  const { can } = useAuth();
  const qc = useQueryClient();
  const [editing, setEditing] = useState<Registry>();
  const q = useQuery({
    queryKey: ['registries', projectId],
    enabled: !!projectId,
    queryFn: () => unwrap(api.GET('/api/v1/projects/{projectId}/registries', { params: { path: { projectId: projectId! }, query: { limit: 500 } } })),
  });
  const done = () => {
    void qc.invalidateQueries({ queryKey: ['registries'] });
    void message.success(t('common.saved'));
  };
  const path = (registryId: string) => ({ path: { projectId: projectId!, registryId } });
  const add = useAddForm(
    (v: RegistryForm) =>
      unwrap(api.POST('/api/v1/projects/{projectId}/registries', { params: { path: { projectId: projectId! } }, body: { ...v, insecure: !!v.insecure } })),
    done,
  );
  const edit = useAddForm(({ password, ...v }: BodyOf<'/api/v1/projects/{projectId}/registries/{registryId}', 'patch'>) => {
    // An empty password keeps the stored one (it is never sent back to the console).
    const body = { ...v, insecure: !!v.insecure, ...(password ? { password } : {}) };
    return unwrap(api.PATCH('/api/v1/projects/{projectId}/registries/{registryId}', { params: path(editing!.id), body }));
  }, done);
  const sync = useAction(
    (id: string) => unwrap(api.POST('/api/v1/projects/{projectId}/registries/{registryId}/sync', { params: path(id) })),
    (r) => {
      void qc.invalidateQueries({ queryKey: ['registries'] });
      void qc.invalidateQueries({ queryKey: ['images'] });
      void message.success(t('registries.synced', { images: num(r.images), newImages: num(r.newImages), scans: num(r.scansQueued) }));
    },
  );
  const del = useAction((id: string) => unwrap(api.DELETE('/api/v1/projects/{projectId}/registries/{registryId}', { params: path(id) })), done);
  const fields = (passwordHelp: string) => (
    <>
      <RequiredItem label={t('registries.url')} name="url">
        <Input placeholder={t('registries.urlPlaceholder')} />
      </RequiredItem>
      <Form.Item label={t('registries.username')} name="username">
        <Input autoComplete="off" />
      </Form.Item>
      <Form.Item label={t('registries.password')} name="password" extra={passwordHelp}>
        <Input.Password autoComplete="new-password" />
      </Form.Item>
      <Form.Item name="insecure" valuePropName="checked">
        <Checkbox>{t('registries.insecure')}</Checkbox>
      </Form.Item>
    </>
  );
  return (
    <>
      <PageTitle>{t('nav.registries')}</PageTitle>
      <ListSection<Registry>
        add={{ allowed: !!projectId && can('registry:create', projectId), label: t('registries.add'), onAdd: add.show }}
        query={q}
        columns={[
          { title: t('registries.name'), dataIndex: 'name' },
          { title: t('registries.url'), dataIndex: 'url' },
          { title: t('registries.username'), dataIndex: 'username', render: (v) => v || '—' },
          {
            title: t('registries.credentials'),
            dataIndex: 'hasPassword',
            render: (v, r) => (
              <Space size={4}>
                <Tag>{v ? t('registries.passwordStored') : t('registries.noPassword')}</Tag>
                {r.insecure && <Tag>{t('registries.insecureTag')}</Tag>}
              </Space>
            ),
          },
          { title: t('registries.lastSync'), dataIndex: 'lastSyncAt', render: (v) => (v ? date(v) : t('registries.never')) },
          {
            title: t('common.actions'),
            key: 'a',
            render: (_v, r) => (
              <RowActions
                actions={[
                  {
                    label: t('registries.sync'),
                    allowed: can('registry:sync', projectId),
                    loading: sync.isPending && sync.variables === r.id,
                    onClick: () => sync.mutate(r.id),
                  },
                  {
                    label: t('common.edit'),
                    allowed: can('registry:update', projectId),
                    onClick: () => {
                      setEditing(r);
                      edit.show();
                    },
                  },
                ]}
                del={{ allowed: can('registry:delete', projectId), title: t('registries.deleteConfirm', { name: r.name }), onConfirm: () => del.mutate(r.id) }}
              />
            ),
          },
        ]}
      />
      {projectId && <Schedule projectId={projectId} />}
      <FormModal title={t('registries.add')} form={add}>
        <RequiredItem label={t('registries.name')} name="name" />
        {fields(t('registries.passwordHelp'))}
      </FormModal>
      <FormModal
        title={t('registries.editTitle', { name: editing?.name ?? '' })}
        form={edit}
        initialValues={editing && { url: editing.url, username: editing.username, insecure: editing.insecure }}
      >
        {fields(t(editing?.hasPassword ? 'registries.passwordKeep' : 'registries.passwordHelp'))}
      </FormModal>
    </>
  );
}
