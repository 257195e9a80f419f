// Settings sections for what the server pushes to its agents' rule engines
// (docs/rules.md): threat-IP entries of the current project and global ones
// (add, delete), and the project's custom rule files (upload, with the
// loader's errors, each with its line, column and code, listed; enable/disable;
// delete).
import { Form, Input, Switch, Tag, Typography } from 'antd';
import { api, ApiError, unwrap } from '../api/client';
import { useAuth } from '../auth';
import { useI18n } from '../i18n/i18n';
import { ChoiceItem, ConfirmDelete, FormModal, QueryTable, RequiredItem, SectionCard, useAction, useAddForm, useListQuery } from './page';
import { useProject } from './project';

type ThreatIp = { id: string; projectId: string | null; cidr: string; comment: string; createdBy: string; createdAt: string };
type RuleFile = { id: string; name: string; enabled: boolean; ruleCount: number; updatedAt: string };
type ThreatForm = { cidr: string; comment?: string; scope: 'project' | 'global' };
type RuleForm = { name: string; content: string };
type Diagnostic = { line: number; column: number; code: string; message: string };

/** Every error of a refused rule file (the API's `diagnostics`), not only the first one the message names. */
function RuleDiagnostics({ error }: { error: Error | null }) {
  const { t } = useI18n();
  const d = error instanceof ApiError && Array.isArray(error.body.diagnostics) ? (error.body.diagnostics as Diagnostic[]) : [];
  if (!d.length) return null;
  const title = t('intel.ruleErrors', { count: d.length });
  return (
    <div style={{ marginBottom: 12 }}>
      <Typography.Text strong>{title}</Typography.Text>
      <ul aria-label={title} style={{ paddingLeft: 18, margin: '4px 0 0' }}>
        {d.map((x, i) => (
          <li key={i}>
            <Typography.Text code>{`${x.line}:${x.column}`}</Typography.Text> <Tag>{x.code}</Tag> {x.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function IntelSettings() {
  const { t } = useI18n();
  const { can } = useAuth();
  const { projectId } = useProject();
  const pid = projectId ?? '';
  const [threats, refreshThreats] = useListQuery(['threat-ips', pid], !!pid && can('threatip:read'), async () => {
    const own = await unwrap<{ items: ThreatIp[] }>(api.GET('/api/v1/projects/{projectId}/threat-ips', { params: { path: { projectId: pid } } }));
    const global = await unwrap<{ items: ThreatIp[] }>(api.GET('/api/v1/threat-ips')).catch(() => ({ items: [] as ThreatIp[] }));
    return { items: [...own.items, ...global.items] };
  });
  const [rules, refreshRules] = useListQuery(['rules', pid], !!pid && can('rule:read'), () =>
    unwrap<{ items: RuleFile[] }>(api.GET('/api/v1/projects/{projectId}/rules', { params: { path: { projectId: pid } } })),
  );
  const addThreat = useAddForm((v: ThreatForm) => {
    const body = { entries: [{ cidr: v.cidr.trim(), ...(v.comment ? { comment: v.comment } : {}) }] };
    return v.scope === 'global'
      ? unwrap(api.POST('/api/v1/threat-ips', { body }))
      : unwrap(api.POST('/api/v1/projects/{projectId}/threat-ips', { params: { path: { projectId: pid } }, body }));
  }, refreshThreats);
  const delThreat = useAction(
    (r: ThreatIp) =>
      r.projectId === null
        ? unwrap(api.DELETE('/api/v1/threat-ips/{threatIpId}', { params: { path: { threatIpId: r.id } } }))
        : unwrap(api.DELETE('/api/v1/projects/{projectId}/threat-ips/{threatIpId}', { params: { path: { projectId: pid, threatIpId: r.id } } })),
    refreshThreats,
  );
  const upload = useAddForm(
    (v: RuleForm) =>
      unwrap(api.POST('/api/v1/projects/{projectId}/rules', { params: { path: { projectId: pid } }, body: { name: v.name, content: v.content } })),
    refreshRules,
  );
  const toggle = useAction(
    (v: { id: string; enabled: boolean }) =>
      unwrap(api.PATCH('/api/v1/projects/{projectId}/rules/{ruleId}', { params: { path: { projectId: pid, ruleId: v.id } }, body: { enabled: v.enabled } })),
    refreshRules,
  );
  const delRule = useAction(
    (id: string) => unwrap(api.DELETE('/api/v1/projects/{projectId}/rules/{ruleId}', { params: { path: { projectId: pid, ruleId: id } } })),
    refreshRules,
  );
  if (!pid || (!can('threatip:read') && !can('rule:read'))) return null;
  return (
    <>
      {can('threatip:read') && (
        <SectionCard title={t('intel.threatIps')} add={{ allowed: can('threatip:create'), label: t('intel.addThreatIp'), onAdd: addThreat.show }}>
          <QueryTable<ThreatIp>
            size="small"
            query={threats}
            columns={[
              { title: t('intel.cidr'), dataIndex: 'cidr' },
              { title: t('intel.comment'), dataIndex: 'comment' },
              {
                title: t('intel.scope'),
                dataIndex: 'projectId',
                render: (v: string | null) => <Tag>{v === null ? t('intel.global') : t('intel.project')}</Tag>,
              },
              {
                title: t('common.actions'),
                key: 'a',
                render: (_v, r) =>
                  can('threatip:delete') && <ConfirmDelete title={t('intel.deleteThreatIp', { cidr: r.cidr })} onConfirm={() => delThreat.mutate(r)} />,
              },
            ]}
          />
        </SectionCard>
      )}
      {can('rule:read') && (
        <SectionCard title={t('intel.rules')} add={{ allowed: can('rule:create'), label: t('intel.uploadRule'), onAdd: upload.show }}>
          <QueryTable<RuleFile>
            size="small"
            query={rules}
            columns={[
              { title: t('settings.name'), dataIndex: 'name' },
              { title: t('intel.ruleCount'), dataIndex: 'ruleCount' },
              {
                title: t('intel.enabled'),
                dataIndex: 'enabled',
                render: (v: boolean, r) => (
                  <Switch
                    size="small"
                    checked={v}
                    disabled={!can('rule:update')}
                    aria-label={t('intel.enableRule', { name: r.name })}
                    onChange={(enabled) => toggle.mutate({ id: r.id, enabled })}
                  />
                ),
              },
              {
                title: t('common.actions'),
                key: 'a',
                render: (_v, r) =>
                  can('rule:delete') && <ConfirmDelete title={t('intel.deleteRule', { name: r.name })} onConfirm={() => delRule.mutate(r.id)} />,
              },
            ]}
          />
        </SectionCard>
      )}
      <FormModal title={t('intel.addThreatIp')} form={addThreat} initialValues={{ scope: 'project' }}>
        <RequiredItem label={t('intel.cidr')} name="cidr" extra={t('intel.cidrHelp')} />
        <Form.Item label={t('intel.comment')} name="comment">
          <Input maxLength={200} />
        </Form.Item>
        <ChoiceItem label={t('intel.scope')} name="scope" choices={{ project: t('intel.project'), global: t('intel.global') }} />
      </FormModal>
      <FormModal title={t('intel.uploadRule')} form={upload}>
        <RequiredItem label={t('intel.ruleName')} name="name" extra={t('intel.ruleNameHelp')} />
        <RequiredItem label={t('intel.ruleContent')} name="content">
          <Input.TextArea rows={10} spellCheck={false} style={{ fontFamily: 'monospace' }} />
        </RequiredItem>
        <RuleDiagnostics error={upload.mutation.error} />
      </FormModal>
    </>
  );
}
