// Clusters and nodes: protection on/off (openClusterProtect /
// closeClusterProtect), agent registration command with a fresh token
// (shown once), node list with agent status.
import { useState } from 'react';
import { Alert, Modal, Switch, Tag, Tooltip } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { Cluster, NodeRow } from '../api/models';
import { useAuth } from '../auth';
import { useI18n } from '../i18n/i18n';
import { RelativeTime, StatusTag, useProject } from '../components/common';
import { FormModal, ListSection, PageTitle, QueryTable, RequiredItem, RowActions, useAction, useAddForm, useListQuery } from '../components/page';

export default function Clusters() {
  const { t, date } = useI18n();
  const { projectId } = useProject();
  const { can } = useAuth();
  const [token, setToken] = useState<{ cluster: string; token: string; expiresAt: string }>();
  const path = { projectId: projectId! };
  const [clusters, refresh] = useListQuery(['clusters', projectId], !!projectId, () =>
    unwrap(api.GET('/api/v1/projects/{projectId}/clusters', { params: { path, query: { limit: 500 } } })),
  );
  const nodes = useQuery({
    queryKey: ['nodes', projectId],
    enabled: !!projectId,
    queryFn: () => unwrap(api.GET('/api/v1/projects/{projectId}/nodes', { params: { path, query: { limit: 500 } } })),
  });
  const add = useAddForm((v: { name: string }) => unwrap(api.POST('/api/v1/projects/{projectId}/clusters', { params: { path }, body: v })), refresh);
  const protect = useAction(
    (v: { id: string; on: boolean }) =>
      v.on
        ? unwrap(api.POST('/api/v1/projects/{projectId}/clusters/{clusterId}/protect', { params: { path: { ...path, clusterId: v.id } } }))
        : unwrap(api.POST('/api/v1/projects/{projectId}/clusters/{clusterId}/unprotect', { params: { path: { ...path, clusterId: v.id } } })),
    refresh,
  );
  const mint = useAction(
    (c: Cluster) =>
      unwrap(api.POST('/api/v1/projects/{projectId}/clusters/{clusterId}/agent-tokens', { params: { path: { ...path, clusterId: c.id } }, body: {} })).then(
        (r) => ({ ...r, cluster: c.name }),
      ),
    setToken,
  );
  const del = useAction(
    (id: string) => unwrap(api.DELETE('/api/v1/projects/{projectId}/clusters/{clusterId}', { params: { path: { ...path, clusterId: id } } })),
    refresh,
  );
  const origin = window.location.origin;
  return (
    <>
      <PageTitle>{t('nav.clusters')}</PageTitle>
      <ListSection<Cluster>
        add={{ allowed: !!projectId && can('cluster:create', projectId), label: t('clusters.add'), onAdd: add.show }}
        query={clusters}
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
              <RowActions
                actions={[{ label: t('clusters.agentCommand'), allowed: can('cluster:token', projectId), onClick: () => mint.mutate(r) }]}
                del={{ allowed: can('cluster:delete', projectId), title: t('clusters.deleteConfirm', { name: r.name }), onConfirm: () => del.mutate(r.id) }}
              />
            ),
          },
        ]}
      />
      <h3 className="section-title" style={{ fontSize: 18, marginTop: 24 }}>
        {t('clusters.nodes')}
      </h3>
      <QueryTable<NodeRow>
        query={nodes}
        size="small"
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
                  {n.queueDropped ? <span className="text-danger"> (−{n.queueDropped})</span> : null}
                </span>
              </Tooltip>
            ),
          },
          {
            title: t('clusters.lostEvents'),
            dataIndex: 'lostEvents',
            render: (v: number | undefined) => (v ? <span className="text-warning">{v}</span> : 0),
          },
          { title: t('clusters.lastSeen'), dataIndex: 'lastSeen', render: (v: string) => <RelativeTime iso={v} /> },
        ]}
      />
      <FormModal title={t('clusters.add')} form={add}>
        <RequiredItem label={t('clusters.name')} name="name" />
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
