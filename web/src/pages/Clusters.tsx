// Clusters and nodes: protection on/off (openClusterProtect /
// closeClusterProtect), agent registration command with a fresh token
// (shown once), node list with agent status.
import { useState } from 'react';
import { Alert, Button, Input, Modal, Space, Switch, Tag, Tooltip, Typography, message } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { Cluster, NodeRow, Page } from '../api/types';
import { useAuth } from '../auth';
import { useI18n } from '../i18n/i18n';
import { errorMessage, QueryState, StatusTag, useProject } from '../components/common';
import { AddToolbar, ConfirmDelete, DataTable, FormModal, PageTitle, RequiredItem } from '../components/page';

export default function Clusters() {
  const { t, date, relative } = useI18n();
  const { projectId } = useProject();
  const { can } = useAuth();
  const qc = useQueryClient();
  const [adding, setAdding] = useState(false);
  const [token, setToken] = useState<{ cluster: string; token: string; expiresAt: string }>();
  const path = { projectId: projectId! };
  const clusters = useQuery({
    queryKey: ['clusters', projectId],
    enabled: !!projectId,
    queryFn: () => unwrap<Page<Cluster>>(api.GET('/api/v1/projects/{projectId}/clusters', { params: { path, query: { limit: 500 } } })),
  });
  const nodes = useQuery({
    queryKey: ['nodes', projectId],
    enabled: !!projectId,
    queryFn: () => unwrap<Page<NodeRow>>(api.GET('/api/v1/projects/{projectId}/nodes', { params: { path, query: { limit: 500 } } })),
  });
  const refresh = () => void qc.invalidateQueries({ queryKey: ['clusters'] });
  const add = useMutation({
    mutationFn: (v: { name: string }) => unwrap(api.POST('/api/v1/projects/{projectId}/clusters', { params: { path }, body: v })),
    onSuccess: () => {
      setAdding(false);
      refresh();
    },
  });
  const protect = useMutation({
    mutationFn: (v: { id: string; on: boolean }) =>
      v.on
        ? unwrap(api.POST('/api/v1/projects/{projectId}/clusters/{clusterId}/protect', { params: { path: { ...path, clusterId: v.id } } }))
        : unwrap(api.POST('/api/v1/projects/{projectId}/clusters/{clusterId}/unprotect', { params: { path: { ...path, clusterId: v.id } } })),
    onSuccess: refresh,
    onError: (e) => void message.error(errorMessage(e)),
  });
  const mint = useMutation({
    mutationFn: (c: Cluster) =>
      unwrap<{ token: string; expiresAt: string }>(
        api.POST('/api/v1/projects/{projectId}/clusters/{clusterId}/agent-tokens', { params: { path: { ...path, clusterId: c.id } }, body: {} }),
      ).then((r) => ({ ...r, cluster: c.name })),
    onSuccess: setToken,
    onError: (e) => void message.error(errorMessage(e)),
  });
  const del = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/projects/{projectId}/clusters/{clusterId}', { params: { path: { ...path, clusterId: id } } })),
    onSuccess: refresh,
    onError: (e) => void message.error(errorMessage(e)),
  });
  const origin = window.location.origin;
  return (
    <>
      <PageTitle>{t('nav.clusters')}</PageTitle>
      <AddToolbar allowed={!!projectId && can('cluster:create', projectId)} label={t('clusters.add')} onAdd={() => setAdding(true)} />
      <QueryState query={clusters}>
        <DataTable<Cluster>
          dataSource={clusters.data?.items ?? []}
          columns={[
            { title: t('clusters.name'), dataIndex: 'name' },
            {
              title: t('clusters.protection'),
              key: 'p',
              render: (_v, r) => (
                <Switch
                  aria-label={t('clusters.protectionOf', { name: r.name })}
                  checked={!!r.protected}
                  disabled={!can('cluster:protect', projectId)}
                  loading={protect.isPending && protect.variables?.id === r.id}
                  checkedChildren={t('clusters.on')}
                  unCheckedChildren={t('clusters.off')}
                  onChange={(on) => protect.mutate({ id: r.id, on })}
                />
              ),
            },
            { title: t('clusters.created'), dataIndex: 'createdAt', render: (v: string) => date(v) },
            {
              title: t('common.actions'),
              key: 'a',
              render: (_v, r) => (
                <Space>
                  {can('cluster:token', projectId) && (
                    <Button size="small" onClick={() => mint.mutate(r)}>
                      {t('clusters.agentCommand')}
                    </Button>
                  )}
                  {can('cluster:delete', projectId) && (
                    <ConfirmDelete title={t('clusters.deleteConfirm', { name: r.name })} onConfirm={() => del.mutate(r.id)} />
                  )}
                </Space>
              ),
            },
          ]}
        />
      </QueryState>
      <Typography.Title level={3} style={{ fontSize: 18, marginTop: 24 }}>
        {t('clusters.nodes')}
      </Typography.Title>
      <QueryState query={nodes}>
        <DataTable<NodeRow>
          size="small"
          dataSource={nodes.data?.items ?? []}
          columns={[
            { title: t('clusters.hostname'), dataIndex: 'hostname' },
            {
              title: t('clusters.cluster'),
              dataIndex: 'clusterId',
              render: (v: string | null) => (clusters.data?.items ?? []).find((c) => c.id === v)?.name ?? '—',
            },
            { title: t('clusters.agentStatus'), dataIndex: 'status', render: (v: string) => <StatusTag status={v} /> },
            { title: t('clusters.version'), dataIndex: 'version', render: (v: string) => v || '—' },
            {
              title: t('clusters.sensors'),
              dataIndex: 'sensorHealth',
              render: (v: NodeRow['sensorHealth']) =>
                v?.length
                  ? v.map((s) => (
                      <Tooltip key={s.name} title={s.detail}>
                        <Tag color={s.state === 'running' ? 'green' : s.state === 'failed' ? 'red' : 'default'}>{s.name}</Tag>
                      </Tooltip>
                    ))
                  : '—',
            },
            {
              title: t('clusters.queue'),
              dataIndex: 'queueDepth',
              render: (_: unknown, n: NodeRow) => (
                <Tooltip title={t('clusters.queueTip', { depth: n.queueDepth ?? 0, dropped: n.queueDropped ?? 0 })}>
                  <span>
                    {n.queueDepth ?? 0}
                    {n.queueDropped ? <Typography.Text type="danger"> (−{n.queueDropped})</Typography.Text> : null}
                  </span>
                </Tooltip>
              ),
            },
            {
              title: t('clusters.lostEvents'),
              dataIndex: 'lostEvents',
              render: (v: number | undefined) => (v ? <Typography.Text type="warning">{v}</Typography.Text> : 0),
            },
            { title: t('clusters.lastSeen'), dataIndex: 'lastSeen', render: (v: string) => <span title={date(v)}>{relative(v)}</span> },
          ]}
        />
      </QueryState>
      <FormModal<{ name: string }>
        title={t('clusters.add')}
        open={adding}
        onClose={() => setAdding(false)}
        onFinish={(v) => add.mutate(v)}
        error={add.error}
        pending={add.isPending}
      >
        <RequiredItem label={t('clusters.name')} name="name">
          <Input />
        </RequiredItem>
      </FormModal>
      <Modal title={t('clusters.agentCommand')} open={!!token} onCancel={() => setToken(undefined)} footer={null}>
        {token && (
          <>
            <Alert type="warning" showIcon message={t('clusters.tokenOnce', { time: date(token.expiresAt) })} style={{ marginBottom: 12 }} />
            <pre
              className="json"
              tabIndex={0}
              data-testid="agent-command"
            >{`VIGIL_SERVER=${origin}\nVIGIL_CLUSTER=${token.cluster}\nVIGIL_AGENT_TOKEN=${token.token}`}</pre>
          </>
        )}
      </Modal>
    </>
  );
}
