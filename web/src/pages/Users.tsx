// Users, their role bindings per project, and the signed-in user's API tokens.
import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Popconfirm, Select, Space, Tag } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { ApiToken, BodyOf, User } from '../api/models';
import { useAuth } from '../auth';
import { useI18n } from '../i18n/i18n';
import { errorMessage, QueryState, TAG, useProjects } from '../components/common';
import { ConfirmDelete, DataTable, FormModal, ListSection, PageTitle, RequiredItem, useAction, useAddForm, useListQuery, NumberItem } from '../components/page';
import { message } from '../components/message';

const ROLES = ['Administrator', 'FullAccess', 'ReadOnlyAccess'] as const;

function Bindings({ user }: { user: User }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const projects = useProjects();
  const [role, setRole] = useState<(typeof ROLES)[number]>('ReadOnlyAccess');
  const [project, setProject] = useState<string>('');
  const [removing, setRemoving] = useState<string>();
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
            // The tag's close button does not open a popover itself (antd stops its click): the confirmation is opened here.
            <Popconfirm
              key={b.id}
              open={removing === b.id}
              onOpenChange={(o) => !o && setRemoving(undefined)}
              title={t('users.unbindConfirm', { role: t(`role.${b.role}`), project: name(b.projectId) })}
              okText={t('common.delete')}
              okButtonProps={{ danger: true }}
              cancelText={t('common.cancel')}
              onCancel={() => setRemoving(undefined)}
              onConfirm={() => {
                setRemoving(undefined);
                del.mutate(b.id);
              }}
            >
              <Tag
                closable
                closeIcon={<span aria-label={t('users.unbind', { role: t(`role.${b.role}`) })}>×</span>}
                onClose={(e) => {
                  e.preventDefault();
                  setRemoving(b.id);
                }}
              >
                {t(`role.${b.role}`)} · {name(b.projectId)}
              </Tag>
            </Popconfirm>
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
    mutationFn: (v: BodyOf<'/api/v1/tokens'>) => unwrap(api.POST('/api/v1/tokens', { body: v })),
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
      <Form layout="inline" initialValues={{ expiresInDays: 90 }} onFinish={(v: BodyOf<'/api/v1/tokens'>) => add.mutate(v)} style={{ marginBottom: 12 }}>
        <RequiredItem label={t('users.tokenName')} name="name" />
        <NumberItem label={t('users.expiresInDays')} name="expiresInDays" min={1} max={3650} />
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

function PasswordItem() {
  const { t } = useI18n();
  return (
    <Form.Item label={t('users.password')} name="password" rules={[{ required: true, min: 8, message: t('users.passwordRule') }]}>
      <Input.Password autoComplete="new-password" />
    </Form.Item>
  );
}

export default function Users() {
  const { t, date } = useI18n();
  const { can } = useAuth();
  const admin = can('user:read');
  const [q, refresh] = useListQuery(['users'], admin, () => unwrap(api.GET('/api/v1/users', { params: { query: { limit: 500 } } })));
  const projects = useProjects();
  const [resetting, setResetting] = useState<User>();
  const add = useAddForm(
    ({ role, projectId, ...v }: BodyOf<'/api/v1/users'>) =>
      unwrap(api.POST('/api/v1/users', { body: { ...v, ...(role ? { role, projectId: projectId || null } : {}) } })),
    refresh,
  );
  const del = useAction((id: string) => unwrap(api.DELETE('/api/v1/users/{userId}', { params: { path: { userId: id } } })), refresh);
  const patch = (id: string, body: BodyOf<'/api/v1/users/{userId}', 'patch'>) =>
    unwrap(api.PATCH('/api/v1/users/{userId}', { params: { path: { userId: id } }, body }));
  const setDisabled = useAction((v: { id: string; disabled: boolean }) => patch(v.id, { disabled: v.disabled }), refresh);
  const reset = useAddForm(
    (v: { password: string }) => patch(resetting!.id, v),
    () => void message.success(t('users.passwordChanged')),
  );
  return (
    <>
      <PageTitle>{t('nav.users')}</PageTitle>
      {admin ? (
        <ListSection<User>
          add={{ allowed: can('user:create'), label: t('users.add'), onAdd: add.show }}
          query={q}
          columns={[
            { title: t('users.username'), dataIndex: 'username' },
            {
              title: t('users.status'),
              dataIndex: 'disabled',
              render: (v) => <Tag color={v ? 'default' : TAG.green}>{t(v ? 'users.disabled' : 'users.active')}</Tag>,
            },
            { title: t('users.bindings'), key: 'b', render: (_v, r) => <Bindings user={r} /> },
            { title: t('users.created'), dataIndex: 'createdAt', render: (v: string) => date(v) },
            {
              title: t('common.actions'),
              key: 'a',
              render: (_v, r) => (
                <Space>
                  {can('user:update') &&
                    (r.disabled ? (
                      <Button size="small" onClick={() => setDisabled.mutate({ id: r.id, disabled: false })}>
                        {t('users.enable')}
                      </Button>
                    ) : (
                      <ConfirmDelete
                        title={t('users.disableConfirm', { name: r.username })}
                        label={t('users.disable')}
                        onConfirm={() => setDisabled.mutate({ id: r.id, disabled: true })}
                      />
                    ))}
                  {can('user:update') && (
                    <Button
                      size="small"
                      onClick={() => {
                        setResetting(r);
                        reset.show();
                      }}
                    >
                      {t('users.resetPassword')}
                    </Button>
                  )}
                  {can('user:delete') && <ConfirmDelete title={t('users.deleteConfirm', { name: r.username })} onConfirm={() => del.mutate(r.id)} />}
                </Space>
              ),
            },
          ]}
        />
      ) : (
        <Alert type="info" showIcon message={t('users.adminOnly')} />
      )}
      <Tokens />
      <FormModal title={t('users.add')} form={add}>
        <RequiredItem label={t('users.username')} name="username">
          <Input autoComplete="off" />
        </RequiredItem>
        <PasswordItem />
        <Form.Item label={t('users.role')} name="role">
          <Select allowClear placeholder={t('users.noRole')} options={ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))} />
        </Form.Item>
        <Form.Item label={t('users.project')} name="projectId">
          <Select allowClear placeholder={t('users.allProjects')} options={(projects.data?.items ?? []).map((p) => ({ value: p.id, label: p.name }))} />
        </Form.Item>
      </FormModal>
      <FormModal title={t('users.resetTitle', { name: resetting?.username ?? '' })} form={reset}>
        <PasswordItem />
      </FormModal>
    </>
  );
}
