// Users, their role bindings per project, and the signed-in user's API tokens.
import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Select, Space, Tag } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { ApiToken, User } from '../api/models';
import { useAuth } from '../auth';
import { useI18n } from '../i18n/i18n';
import { errorMessage, QueryState, useProjects } from '../components/common';
import { AddToolbar, QueryTable, ConfirmDelete, DataTable, FormModal, PageTitle, RequiredItem, useAction, useAddForm } from '../components/page';
import { message } from '../components/message';

const ROLES = ['Administrator', 'FullAccess', 'ReadOnlyAccess'] as const;

function Bindings({ user }: { user: User }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const projects = useProjects();
  const [role, setRole] = useState<(typeof ROLES)[number]>('ReadOnlyAccess');
  const [project, setProject] = useState<string>('');
  const q = useQuery({
    queryKey: ['bindings', user.id],
    queryFn: () => unwrap(api.GET('/api/v1/users/{userId}/bindings', { params: { path: { userId: user.id } } })),
  });
  const add = useMutation({
    mutationFn: () =>
      unwrap(api.POST('/api/v1/users/{userId}/bindings', { params: { path: { userId: user.id } }, body: { role, projectId: project || null } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['bindings', user.id] }),
    onError: (e) => void message.error(errorMessage(e)),
  });
  const del = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/users/{userId}/bindings/{bindingId}', { params: { path: { userId: user.id, bindingId: id } } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['bindings', user.id] }),
    onError: (e) => void message.error(errorMessage(e)),
  });
  const name = (id: string | null) => (id === null ? t('users.allProjects') : ((projects.data?.items ?? []).find((p) => p.id === id)?.name ?? id));
  return (
    <QueryState query={q}>
      <Space direction="vertical">
        <Space wrap>
          {(q.data?.items ?? []).map((b) => (
            <Tag
              key={b.id}
              closable
              closeIcon={<span aria-label={t('common.delete')}>×</span>}
              onClose={(e) => {
                e.preventDefault();
                del.mutate(b.id);
              }}
            >
              {t(`role.${b.role}`)} · {name(b.projectId)}
            </Tag>
          ))}
        </Space>
        <Space wrap>
          <Select
            aria-label={t('users.role')}
            value={role}
            onChange={setRole}
            style={{ width: 170 }}
            options={ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))}
          />
          <Select
            aria-label={t('users.project')}
            value={project}
            onChange={setProject}
            style={{ width: 170 }}
            options={[{ value: '', label: t('users.allProjects') }, ...(projects.data?.items ?? []).map((p) => ({ value: p.id, label: p.name }))]}
          />
          <Button size="small" onClick={() => add.mutate()} loading={add.isPending}>
            {t('users.bind')}
          </Button>
        </Space>
      </Space>
    </QueryState>
  );
}

function Tokens() {
  const { t, date } = useI18n();
  const qc = useQueryClient();
  const [secret, setSecret] = useState<string>();
  const q = useQuery({ queryKey: ['tokens'], queryFn: () => unwrap(api.GET('/api/v1/tokens')) });
  const add = useMutation({
    mutationFn: (v: { name: string }) => unwrap(api.POST('/api/v1/tokens', { body: { name: v.name } })),
    onSuccess: (r) => {
      setSecret(r.token);
      void qc.invalidateQueries({ queryKey: ['tokens'] });
    },
  });
  const del = useAction(
    (id: string) => unwrap(api.DELETE('/api/v1/tokens/{tokenId}', { params: { path: { tokenId: id } } })),
    () => void qc.invalidateQueries({ queryKey: ['tokens'] }),
  );
  return (
    <Card title={t('users.tokens')} style={{ marginTop: 16 }}>
      <Form layout="inline" onFinish={(v: { name: string }) => add.mutate(v)} style={{ marginBottom: 12 }}>
        <RequiredItem label={t('users.tokenName')} name="name">
          <Input />
        </RequiredItem>
        <Button htmlType="submit" loading={add.isPending}>
          {t('users.createToken')}
        </Button>
      </Form>
      {add.error && <Alert type="error" role="alert" message={errorMessage(add.error)} />}
      {secret && (
        <Alert
          type="warning"
          showIcon
          closable
          onClose={() => setSecret(undefined)}
          message={t('users.tokenOnce')}
          description={<code data-testid="token-secret">{secret}</code>}
          style={{ marginBottom: 12 }}
        />
      )}
      <QueryState query={q}>
        <DataTable<ApiToken>
          size="small"
          dataSource={(q.data?.items ?? []).filter((x) => !x.revokedAt)}
          columns={[
            { title: t('users.tokenName'), dataIndex: 'name' },
            { title: t('users.created'), dataIndex: 'createdAt', render: (v: string) => date(v) },
            { title: t('users.expires'), dataIndex: 'expiresAt', render: (v: string | null) => date(v) },
            { title: t('users.lastUsed'), dataIndex: 'lastUsedAt', render: (v: string | null) => date(v) },
            {
              title: t('common.actions'),
              key: 'a',
              render: (_v, r) => (
                <ConfirmDelete title={t('users.revokeConfirm', { name: r.name })} label={t('users.revoke')} onConfirm={() => del.mutate(r.id)} />
              ),
            },
          ]}
        />
      </QueryState>
    </Card>
  );
}

export default function Users() {
  const { t, date } = useI18n();
  const { can } = useAuth();
  const qc = useQueryClient();
  const admin = can('user:read');
  const q = useQuery({
    queryKey: ['users'],
    enabled: admin,
    queryFn: () => unwrap(api.GET('/api/v1/users', { params: { query: { limit: 500 } } })),
  });
  const refresh = () => void qc.invalidateQueries({ queryKey: ['users'] });
  const add = useAddForm((v: { username: string; password: string }) => unwrap(api.POST('/api/v1/users', { body: v })), refresh);
  const del = useAction((id: string) => unwrap(api.DELETE('/api/v1/users/{userId}', { params: { path: { userId: id } } })), refresh);
  return (
    <>
      <PageTitle>{t('nav.users')}</PageTitle>
      {admin ? (
        <>
          <AddToolbar allowed={can('user:create')} label={t('users.add')} onAdd={add.show} />
          <QueryTable<User>
            query={q}
            columns={[
              { title: t('users.username'), dataIndex: 'username' },
              { title: t('users.bindings'), key: 'b', render: (_v, r) => <Bindings user={r} /> },
              { title: t('users.created'), dataIndex: 'createdAt', render: (v: string) => date(v) },
              {
                title: t('common.actions'),
                key: 'a',
                render: (_v, r) =>
                  can('user:delete') && <ConfirmDelete title={t('users.deleteConfirm', { name: r.username })} onConfirm={() => del.mutate(r.id)} />,
              },
            ]}
          />
        </>
      ) : (
        <Alert type="info" showIcon message={t('users.adminOnly')} />
      )}
      <Tokens />
      <FormModal title={t('users.add')} form={add}>
        <RequiredItem label={t('users.username')} name="username">
          <Input autoComplete="off" />
        </RequiredItem>
        <Form.Item label={t('users.password')} name="password" rules={[{ required: true, min: 8, message: t('users.passwordRule') }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </FormModal>
    </>
  );
}
