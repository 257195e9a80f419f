// Registries: add with credentials (write-only: never shown again), sync, remove.
import { useState } from 'react';
import { Alert, Button, Checkbox, Form, Input, Modal, Popconfirm, Space, Table, Typography, message } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { Page, Registry } from '../api/types';
import { useAuth } from '../auth';
import { useI18n } from '../i18n/i18n';
import { errorMessage, QueryState, useProject } from '../components/common';

export default function Registries() {
  const { t, date } = useI18n();
  const { projectId } = useProject();
  const { can } = useAuth();
  const qc = useQueryClient();
  const [adding, setAdding] = useState(false);
  const q = useQuery({
    queryKey: ['registries', projectId],
    enabled: !!projectId,
    queryFn: () =>
      unwrap<Page<Registry>>(api.GET('/api/v1/projects/{projectId}/registries', { params: { path: { projectId: projectId! }, query: { limit: 500 } } })),
  });
  const done = () => {
    void qc.invalidateQueries({ queryKey: ['registries'] });
    void message.success(t('common.saved'));
  };
  const add = useMutation({
    mutationFn: (v: { name: string; url: string; username?: string; password?: string; insecure?: boolean }) =>
      unwrap(api.POST('/api/v1/projects/{projectId}/registries', { params: { path: { projectId: projectId! } }, body: { ...v, insecure: !!v.insecure } })),
    onSuccess: () => {
      setAdding(false);
      done();
    },
  });
  const sync = useMutation({
    mutationFn: (id: string) =>
      unwrap<{ images?: number }>(
        api.POST('/api/v1/projects/{projectId}/registries/{registryId}/sync', { params: { path: { projectId: projectId!, registryId: id } } }),
      ),
    onSuccess: done,
    onError: (e) => void message.error(errorMessage(e)),
  });
  const del = useMutation({
    mutationFn: (id: string) =>
      unwrap(api.DELETE('/api/v1/projects/{projectId}/registries/{registryId}', { params: { path: { projectId: projectId!, registryId: id } } })),
    onSuccess: done,
    onError: (e) => void message.error(errorMessage(e)),
  });
  return (
    <>
      <Typography.Title level={2} className="page-title">
        {t('nav.registries')}
      </Typography.Title>
      <div className="toolbar">
        {projectId && can('registry:create', projectId) && (
          <Button type="primary" onClick={() => setAdding(true)}>
            {t('registries.add')}
          </Button>
        )}
      </div>
      <QueryState query={q}>
        <Table<Registry>
          rowKey="id"
          dataSource={q.data?.items ?? []}
          pagination={false}
          locale={{ emptyText: t('common.empty') }}
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
                    <Popconfirm
                      title={t('registries.deleteConfirm', { name: r.name })}
                      okText={t('common.delete')}
                      okButtonProps={{ danger: true }}
                      cancelText={t('common.cancel')}
                      onConfirm={() => del.mutate(r.id)}
                    >
                      <Button size="small" danger>
                        {t('common.delete')}
                      </Button>
                    </Popconfirm>
                  )}
                </Space>
              ),
            },
          ]}
        />
      </QueryState>
      <Modal title={t('registries.add')} open={adding} onCancel={() => setAdding(false)} footer={null} destroyOnHidden>
        <Form layout="vertical" onFinish={(v) => add.mutate(v)}>
          <Form.Item label={t('registries.name')} name="name" rules={[{ required: true, message: t('common.required') }]}>
            <Input />
          </Form.Item>
          <Form.Item label={t('registries.url')} name="url" rules={[{ required: true, message: t('common.required') }]}>
            <Input placeholder={t('registries.urlPlaceholder')} />
          </Form.Item>
          <Form.Item label={t('registries.username')} name="username">
            <Input autoComplete="off" />
          </Form.Item>
          <Form.Item label={t('registries.password')} name="password" extra={t('registries.passwordHelp')}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Form.Item name="insecure" valuePropName="checked">
            <Checkbox>{t('registries.insecure')}</Checkbox>
          </Form.Item>
          {add.error && <Alert type="error" role="alert" message={errorMessage(add.error)} style={{ marginBottom: 12 }} />}
          <Button type="primary" htmlType="submit" loading={add.isPending}>
            {t('common.save')}
          </Button>
        </Form>
      </Modal>
    </>
  );
}
