// Policies: process whitelist (executables, learn mode), file protection
// paths, image admission rules, detection policies (the document as JSON,
// docs/detection-policy.md); create, edit, delete, apply to images; the
// entries a process whitelist's agents learned, accepted or rejected in bulk.
import { useState } from 'react';
import { Alert, Button, Card, Checkbox, Form, Input, Modal, Popconfirm, Radio, Select, Space, Tag } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api, unwrap } from '../api/client';
import type { LearnedEntry, Policy, PolicyDocument } from '../api/models';
import { useAuth } from '../auth';
import { useI18n } from '../i18n/i18n';
import { errorMessage, QueryState, TAG, useProject, useUrlFilters } from '../components/common';
import { ConfirmDelete, FilterSelect, ListSection, PageTitle, QueryTable, NumberItem, useListQuery } from '../components/page';
import { message } from '../components/message';

type Kind = Policy['kind'];
const KINDS: Kind[] = ['process-whitelist', 'file-protection', 'image-admission', 'detection'];

interface FormValues {
  name: string;
  kind: Kind;
  mode: Policy['mode'];
  executables?: string;
  learn?: string;
  paths?: string;
  reads?: boolean;
  maxCritical?: number | null;
  maxHigh?: number | null;
  requireScan?: boolean;
  blockMalware?: boolean;
  allowedRegistries?: string;
  denyImages?: string;
  /** A detection policy's document as JSON (types, thresholds, allow, scope). */
  detection?: string;
}

const DETECTION_TEMPLATE = JSON.stringify({ types: { 'system/high-risk-command': false }, thresholds: { 'brute-force': { attempts: 10 } } }, null, 2);

const isJsonObject = (s?: string): boolean => {
  try {
    const v: unknown = JSON.parse(s ?? '');
    return !!v && typeof v === 'object' && !Array.isArray(v);
  } catch {
    return false;
  }
};

const lines = (s?: string) =>
  (s ?? '')
    .split('\n')
    .map((x) => x.trim())
    .filter(Boolean);

function toDocument(v: FormValues): Record<string, unknown> {
  if (v.kind === 'process-whitelist') return { processWhitelist: { executables: lines(v.executables), ...(v.learn ? { learn: v.learn } : {}) } };
  if (v.kind === 'file-protection') return { fileProtection: { paths: lines(v.paths), ...(v.reads ? { reads: true } : {}) } };
  if (v.kind === 'detection') return JSON.parse(v.detection ?? '{}') as Record<string, unknown>;
  const d: Record<string, unknown> = { requireScan: !!v.requireScan, blockMalware: !!v.blockMalware };
  if (v.maxCritical !== undefined && v.maxCritical !== null) d.maxCritical = v.maxCritical;
  if (v.maxHigh !== undefined && v.maxHigh !== null) d.maxHigh = v.maxHigh;
  if (lines(v.allowedRegistries).length) d.allowedRegistries = lines(v.allowedRegistries);
  if (lines(v.denyImages).length) d.denyImages = lines(v.denyImages);
  return d;
}

function toForm(p: Policy): FormValues {
  const d: PolicyDocument = p.document ?? {};
  return {
    name: p.name,
    kind: p.kind,
    mode: p.mode,
    executables: (d.processWhitelist?.executables ?? []).join('\n'),
    learn: d.processWhitelist?.learn ? String(d.processWhitelist.learn) : '',
    paths: (d.fileProtection?.paths ?? []).join('\n'),
    reads: !!d.fileProtection?.reads,
    maxCritical: d.maxCritical ?? null,
    maxHigh: d.maxHigh ?? null,
    requireScan: !!d.requireScan,
    blockMalware: !!d.blockMalware,
    allowedRegistries: (d.allowedRegistries ?? []).join('\n'),
    denyImages: (d.denyImages ?? []).join('\n'),
    detection: p.kind === 'detection' ? JSON.stringify(d, null, 2) : DETECTION_TEMPLATE,
  };
}

function PolicyForm({
  initial,
  editing,
  onSubmit,
  busy,
  error,
}: {
  initial: FormValues;
  editing: boolean;
  onSubmit(v: FormValues): void;
  busy: boolean;
  error: unknown;
}) {
  const { t } = useI18n();
  const [form] = Form.useForm<FormValues>();
  const kind = Form.useWatch('kind', form) ?? initial.kind;
  return (
    <Form form={form} layout="vertical" initialValues={initial} onFinish={onSubmit}>
      <Form.Item label={t('policies.name')} name="name" rules={[{ required: true, pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/, message: t('policies.nameRule') }]}>
        <Input disabled={editing} />
      </Form.Item>
      <Form.Item label={t('policies.kindLabel')} name="kind">
        <Select disabled={editing} options={KINDS.map((k) => ({ value: k, label: t(`policies.kind.${k}`) }))} />
      </Form.Item>
      <Form.Item label={t('policies.mode')} name="mode" hidden={kind === 'detection'}>
        <Radio.Group
          options={[
            { value: 'alert', label: t('policies.modeAlert') },
            { value: 'enforce', label: t('policies.modeEnforce') },
          ]}
        />
      </Form.Item>
      {kind === 'process-whitelist' && (
        <>
          <Form.Item label={t('policies.executables')} name="executables" extra={t('policies.executablesHelp')}>
            <Input.TextArea rows={6} />
          </Form.Item>
          <Form.Item label={t('policies.learn')} name="learn" extra={t('policies.learnHelp')}>
            <Input placeholder={t('policies.learnPlaceholder')} />
          </Form.Item>
        </>
      )}
      {kind === 'file-protection' && (
        <>
          <Form.Item label={t('policies.paths')} name="paths" extra={t('policies.pathsHelp')} rules={[{ required: true, message: t('common.required') }]}>
            <Input.TextArea rows={6} />
          </Form.Item>
          <Form.Item name="reads" valuePropName="checked">
            <Checkbox>{t('policies.reads')}</Checkbox>
          </Form.Item>
        </>
      )}
      {kind === 'image-admission' && (
        <>
          <Space wrap>
            <NumberItem label={t('policies.maxCritical')} name="maxCritical" min={0} />
            <NumberItem label={t('policies.maxHigh')} name="maxHigh" min={0} />
          </Space>
          <Form.Item name="requireScan" valuePropName="checked">
            <Checkbox>{t('policies.requireScan')}</Checkbox>
          </Form.Item>
          <Form.Item name="blockMalware" valuePropName="checked">
            <Checkbox>{t('policies.blockMalware')}</Checkbox>
          </Form.Item>
          <Form.Item label={t('policies.allowedRegistries')} name="allowedRegistries" extra={t('policies.onePerLine')}>
            <Input.TextArea rows={3} />
          </Form.Item>
          <Form.Item label={t('policies.denyImages')} name="denyImages" extra={t('policies.onePerLine')}>
            <Input.TextArea rows={3} />
          </Form.Item>
        </>
      )}
      {kind === 'detection' && (
        <Form.Item
          label={t('policies.detectionDocument')}
          name="detection"
          extra={t('policies.detectionHelp')}
          rules={[{ validator: (_r, v?: string) => (isJsonObject(v) ? Promise.resolve() : Promise.reject(new Error(t('policies.detectionJson')))) }]}
        >
          <Input.TextArea rows={12} style={{ fontFamily: 'monospace' }} />
        </Form.Item>
      )}
      {!!error && <Alert type="error" role="alert" message={errorMessage(error)} style={{ marginBottom: 12 }} />}
      <Button type="primary" htmlType="submit" loading={busy}>
        {t('common.save')}
      </Button>
    </Form>
  );
}

const LEARNED_STATUSES = ['pending', 'accepted', 'rejected'] as const;

/** What the policy's agents learned (learn mode): select entries, accept them into the whitelist or reject them. */
function LearnedEntries({ projectId, policyId }: { projectId: string; policyId: string }) {
  const { t, date, num } = useI18n();
  const { can } = useAuth();
  const qc = useQueryClient();
  const [status, setStatus] = useState<(typeof LEARNED_STATUSES)[number]>('pending');
  const [selected, setSelected] = useState<string[]>([]);
  const path = { projectId, policyId };
  const q = useQuery({
    queryKey: ['learned', projectId, policyId, status],
    queryFn: () =>
      unwrap(api.GET('/api/v1/projects/{projectId}/policies/{policyId}/learned', { params: { path, query: { status, limit: 500, sort: 'executable' } } })),
  });
  const decide = useMutation({
    mutationFn: (verb: 'accept' | 'reject') =>
      unwrap(
        verb === 'accept'
          ? api.POST('/api/v1/projects/{projectId}/policies/{policyId}/learned/accept', { params: { path }, body: { ids: selected } })
          : api.POST('/api/v1/projects/{projectId}/policies/{policyId}/learned/reject', { params: { path }, body: { ids: selected } }),
      ),
    onSuccess: (r, verb) => {
      setSelected([]);
      void qc.invalidateQueries({ queryKey: ['learned'] });
      void qc.invalidateQueries({ queryKey: ['policy'] });
      void message.success(t(verb === 'accept' ? 'learned.accepted' : 'learned.rejected', { n: r.decided }));
    },
    onError: (e) => void message.error(errorMessage(e)),
  });
  const writable = status === 'pending' && can('policy:update', projectId);
  return (
    <Card title={t('learned.title')} style={{ marginBottom: 16 }}>
      <div className="toolbar">
        <Select
          aria-label={t('learned.status')}
          value={status}
          onChange={(v) => {
            setStatus(v);
            setSelected([]);
          }}
          style={{ width: 160 }}
          options={LEARNED_STATUSES.map((x) => ({ value: x, label: t(`learned.status.${x}`) }))}
        />
        {writable && (
          <Space wrap>
            <Popconfirm
              title={t('learned.acceptConfirm', { n: selected.length })}
              okText={t('common.confirm')}
              cancelText={t('common.cancel')}
              onConfirm={() => decide.mutate('accept')}
              disabled={!selected.length}
            >
              <Button type="primary" disabled={!selected.length} loading={decide.isPending}>
                {t('learned.accept')}
              </Button>
            </Popconfirm>
            <Popconfirm
              title={t('learned.rejectConfirm', { n: selected.length })}
              okText={t('common.confirm')}
              okButtonProps={{ danger: true }}
              cancelText={t('common.cancel')}
              onConfirm={() => decide.mutate('reject')}
              disabled={!selected.length}
            >
              <Button danger disabled={!selected.length} loading={decide.isPending}>
                {t('learned.reject')}
              </Button>
            </Popconfirm>
          </Space>
        )}
      </div>
      <QueryTable<LearnedEntry>
        query={q}
        rowSelection={writable ? { selectedRowKeys: selected, onChange: (k) => setSelected(k as string[]) } : undefined}
        columns={[
          { title: t('learned.executable'), dataIndex: 'executable', render: (v: string) => <code>{v}</code> },
          { title: t('learned.image'), dataIndex: 'image' },
          { title: t('learned.node'), dataIndex: 'nodeName' },
          { title: t('learned.firstSeen'), dataIndex: 'firstSeen', render: (v: string) => date(v) },
          { title: t('learned.count'), dataIndex: 'count', render: (v: number) => num(v) },
          ...(status === 'pending'
            ? []
            : [
                {
                  title: t('learned.decidedBy'),
                  dataIndex: 'decidedBy' as const,
                  render: (v: string | null | undefined, r: LearnedEntry) => `${v ?? ''} ${r.decidedAt ? date(r.decidedAt) : ''}`,
                },
              ]),
        ]}
      />
    </Card>
  );
}

function PolicyDetail({ projectId, policyId }: { projectId: string; policyId: string }) {
  const { t } = useI18n();
  const { can } = useAuth();
  const qc = useQueryClient();
  const nav = useNavigate();
  const [imageIds, setImageIds] = useState<string[]>([]);
  const path = { projectId, policyId };
  const p = useQuery({
    queryKey: ['policy', projectId, policyId],
    queryFn: () => unwrap(api.GET('/api/v1/projects/{projectId}/policies/{policyId}', { params: { path } })),
  });
  const images = useQuery({
    queryKey: ['images', projectId, 'all'],
    queryFn: () => unwrap(api.GET('/api/v1/projects/{projectId}/images', { params: { path: { projectId }, query: { limit: 500, sort: 'ref' } } })),
  });
  const save = useMutation({
    mutationFn: (v: FormValues) =>
      unwrap(
        api.PATCH('/api/v1/projects/{projectId}/policies/{policyId}', {
          params: { path },
          body: { mode: v.kind === 'detection' ? 'alert' : v.mode, document: toDocument(v) },
        }),
      ),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['policy'] });
      void qc.invalidateQueries({ queryKey: ['policies'] });
      void message.success(t('common.saved'));
    },
  });
  const apply = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/projects/{projectId}/policies/{policyId}/images', { params: { path }, body: { imageIds } })),
    onSuccess: () => {
      setImageIds([]);
      void qc.invalidateQueries({ queryKey: ['policy'] });
      void message.success(t('common.saved'));
    },
  });
  const del = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/projects/{projectId}/policies/{policyId}', { params: { path } })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['policies'] });
      nav(`/policies?project=${projectId}`);
    },
    onError: (e) => void message.error(errorMessage(e)),
  });
  return (
    <QueryState query={p}>
      {p.data && (
        <>
          <PageTitle>{p.data.name}</PageTitle>
          <Space style={{ marginBottom: 16 }}>
            <Link to={`/policies?project=${projectId}`}>{t('policies.back')}</Link>
            {can('policy:delete', projectId) && <ConfirmDelete title={t('policies.deleteConfirm', { name: p.data.name })} onConfirm={() => del.mutate()} />}
          </Space>
          <Card title={t('policies.edit')} style={{ marginBottom: 16 }}>
            {can('policy:update', projectId) ? (
              <PolicyForm initial={toForm(p.data)} editing onSubmit={(v) => save.mutate(v)} busy={save.isPending} error={save.error} />
            ) : (
              <pre className="json" tabIndex={0}>
                {JSON.stringify(p.data.document, null, 2)}
              </pre>
            )}
          </Card>
          {p.data.kind === 'process-whitelist' && <LearnedEntries projectId={projectId} policyId={policyId} />}
          <Card title={t('policies.appliedTo')}>
            <Space wrap style={{ marginBottom: 12 }}>
              {(p.data.images ?? []).length
                ? (p.data.images ?? []).map((im) => (
                    <Tag key={im.id}>
                      <Link to={`/images/${im.id}?project=${projectId}`}>{im.ref}</Link>
                    </Tag>
                  ))
                : t('policies.noImages')}
            </Space>
            {can('policy:apply', projectId) && (
              <Space wrap>
                <Select
                  mode="multiple"
                  aria-label={t('policies.chooseImages')}
                  placeholder={t('policies.chooseImages')}
                  value={imageIds}
                  onChange={setImageIds}
                  style={{ minWidth: 360 }}
                  options={(images.data?.items ?? []).map((i) => ({ value: i.id, label: i.ref }))}
                />
                <Button type="primary" disabled={!imageIds.length} loading={apply.isPending} onClick={() => apply.mutate()}>
                  {t('policies.apply')}
                </Button>
              </Space>
            )}
            {apply.error && <Alert type="error" role="alert" message={errorMessage(apply.error)} />}
          </Card>
        </>
      )}
    </QueryState>
  );
}

export default function Policies() {
  const { t, date } = useI18n();
  const { policyId } = useParams();
  const { projectId } = useProject();
  const { can } = useAuth();
  const f = useUrlFilters();
  const nav = useNavigate();
  const [creating, setCreating] = useState(false);
  const kind = (f.get('kind') || undefined) as Kind | undefined;
  const [q, refresh] = useListQuery(['policies', projectId, kind], !!projectId && !policyId, () =>
    unwrap(api.GET('/api/v1/projects/{projectId}/policies', { params: { path: { projectId: projectId! }, query: { limit: 500, kind } } })),
  );
  const create = useMutation({
    mutationFn: (v: FormValues) =>
      unwrap(
        api.POST('/api/v1/projects/{projectId}/policies', {
          params: { path: { projectId: projectId! } },
          body: { name: v.name, kind: v.kind, mode: v.kind === 'detection' ? 'alert' : v.mode, document: toDocument(v) },
        }),
      ),
    onSuccess: (r) => {
      setCreating(false);
      refresh();
      nav(`/policies/${r.id}?project=${projectId}`);
    },
  });
  if (policyId && projectId) return <PolicyDetail projectId={projectId} policyId={policyId} />;
  return (
    <>
      <PageTitle>{t('nav.policies')}</PageTitle>
      <ListSection<Policy>
        add={{ allowed: !!projectId && can('policy:create', projectId), label: t('policies.create'), onAdd: () => setCreating(true) }}
        query={q}
        columns={[
          { title: t('policies.name'), dataIndex: 'name', render: (v: string, r) => <Link to={`/policies/${r.id}?project=${projectId}`}>{v}</Link> },
          { title: t('policies.kindLabel'), dataIndex: 'kind', render: (v: Kind) => t(`policies.kind.${v}`) },
          {
            title: t('policies.mode'),
            dataIndex: 'mode',
            render: (v: string) => (v === 'enforce' ? <Tag color={TAG.red}>{t('policies.modeEnforce')}</Tag> : <Tag>{t('policies.modeAlert')}</Tag>),
          },
          { title: t('policies.updated'), dataIndex: 'updatedAt', render: (v: string) => date(v) },
        ]}
      >
        <FilterSelect
          f={f}
          param="kind"
          label={t('policies.kindLabel')}
          width={200}
          options={KINDS.map((k) => ({ value: k, label: t(`policies.kind.${k}`) }))}
        />
      </ListSection>
      <Modal title={t('policies.create')} open={creating} onCancel={() => setCreating(false)} footer={null} destroyOnHidden width={640}>
        <PolicyForm
          initial={{ name: '', kind: kind ?? 'process-whitelist', mode: 'alert', requireScan: true, detection: DETECTION_TEMPLATE }}
          editing={false}
          onSubmit={(v) => create.mutate(v)}
          busy={create.isPending}
          error={create.error}
        />
      </Modal>
    </>
  );
}
