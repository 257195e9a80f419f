// Settings: server settings (daily rescan schedule, alert retention, login
// banner), notification targets (webhook, syslog), the threat-IP list and
// custom rules sent to the agents, and a rescan of all images.
import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Popconfirm, Select, Space } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { BodyOf, Notifier } from '../api/models';
import { useAuth } from '../auth';
import { useI18n } from '../i18n/i18n';
import { errorMessage, QueryState } from '../components/common';
import {
  ChoiceItem,
  ConfirmDelete,
  FormModal,
  PageTitle,
  QueryTable,
  RequiredItem,
  SectionCard,
  useAction,
  useAddForm,
  useListQuery,
  NumberItem,
} from '../components/page';
import { message } from '../components/message';
import { IntelSettings } from '../components/IntelSettings';

type NotifierForm = BodyOf<'/api/v1/notifiers'>;
type SettingKey = 'defaultRescanCron' | 'alertRetentionDays' | 'loginBanner';

export default function Settings() {
  const { t } = useI18n();
  const { can } = useAuth();
  const qc = useQueryClient();
  const readable = can('setting:read');
  const settings = useQuery({
    queryKey: ['settings'],
    enabled: readable,
    queryFn: () => unwrap(api.GET('/api/v1/settings')),
  });
  const [notifiers, refreshNotifiers] = useListQuery(['notifiers'], can('notifier:read'), () => unwrap(api.GET('/api/v1/notifiers')));
  const save = useMutation({
    mutationFn: async (v: Partial<Record<SettingKey, string | number>>) => {
      for (const [key, value] of Object.entries(v)) {
        if (value === undefined || value === null || value === '') continue;
        await unwrap(api.PUT('/api/v1/settings/{key}', { params: { path: { key: key as SettingKey } }, body: { value } }));
      }
    },
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['settings'] });
      void message.success(t('common.saved'));
    },
  });
  const addNotifier = useAddForm((v: NotifierForm) => unwrap(api.POST('/api/v1/notifiers', { body: v })), refreshNotifiers);
  const delNotifier = useAction(
    (id: string) => unwrap(api.DELETE('/api/v1/notifiers/{notifierId}', { params: { path: { notifierId: id } } })),
    refreshNotifiers,
  );
  const rescan = useAction(
    () => unwrap(api.POST('/api/v1/rescans', { body: { onlyAffected: true } })),
    (r) => void message.success(t('settings.rescanQueued', { n: r.scansQueued })),
  );
  const [kind, setKind] = useState<'webhook' | 'syslog'>('webhook');
  if (!readable)
    return (
      <>
        <PageTitle>{t('nav.settings')}</PageTitle>
        <Alert type="info" showIcon message={t('users.adminOnly')} style={{ marginBottom: 16 }} />
        <IntelSettings />
      </>
    );
  const writable = can('setting:update');
  return (
    <>
      <PageTitle>{t('nav.settings')}</PageTitle>
      <SectionCard title={t('settings.server')}>
        <QueryState query={settings}>
          {settings.data && (
            <Form layout="vertical" initialValues={settings.data} onFinish={(v) => save.mutate(v)} disabled={!writable} style={{ maxWidth: 520 }}>
              <Form.Item label={t('settings.defaultRescanCron')} name="defaultRescanCron" extra={t('settings.cronHelp')}>
                <Input />
              </Form.Item>
              <NumberItem label={t('settings.alertRetentionDays')} name="alertRetentionDays" min={1} />
              <Form.Item label={t('settings.loginBanner')} name="loginBanner">
                <Input.TextArea rows={2} />
              </Form.Item>
              {save.error && <Alert type="error" role="alert" message={errorMessage(save.error)} style={{ marginBottom: 12 }} />}
              {writable && (
                <Button type="primary" htmlType="submit" loading={save.isPending}>
                  {t('common.save')}
                </Button>
              )}
            </Form>
          )}
        </QueryState>
      </SectionCard>
      <SectionCard title={t('settings.notifiers')} add={{ allowed: can('notifier:create'), label: t('settings.addNotifier'), onAdd: addNotifier.show }}>
        <QueryTable<Notifier>
          query={notifiers}
          size="small"
          columns={[
            { title: t('settings.name'), dataIndex: 'name' },
            { title: t('settings.kind'), dataIndex: 'kind' },
            { title: t('settings.minSeverity'), dataIndex: 'minSeverity', render: (v: string) => t(`severity.${v}` as 'severity.high') },
            {
              title: t('common.actions'),
              key: 'a',
              render: (_v, r) =>
                can('notifier:delete') && <ConfirmDelete title={t('settings.deleteNotifier', { name: r.name })} onConfirm={() => delNotifier.mutate(r.id)} />,
            },
          ]}
        />
      </SectionCard>
      <IntelSettings />
      {can('image:scan') && (
        <Card title={t('settings.schedules')}>
          <Space direction="vertical">
            <span>{t('settings.rescanHelp')}</span>
            <Popconfirm title={t('settings.rescanConfirm')} okText={t('common.confirm')} cancelText={t('common.cancel')} onConfirm={() => rescan.mutate()}>
              <Button loading={rescan.isPending}>{t('settings.rescan')}</Button>
            </Popconfirm>
          </Space>
        </Card>
      )}
      <FormModal title={t('settings.addNotifier')} form={addNotifier} initialValues={{ kind: 'webhook', minSeverity: 'high', protocol: 'udp' }}>
        <RequiredItem label={t('settings.name')} name="name" />
        <ChoiceItem label={t('settings.kind')} name="kind" onChange={setKind} choices={{ webhook: t('settings.webhook'), syslog: t('settings.syslog') }} />
        {kind === 'webhook' ? (
          <>
            <RequiredItem label={t('settings.url')} name="url" />
            <Form.Item label={t('settings.secret')} name="secret" extra={t('settings.secretHelp')}>
              <Input.Password autoComplete="new-password" />
            </Form.Item>
          </>
        ) : (
          <>
            <RequiredItem label={t('settings.host')} name="host" />
            <NumberItem label={t('settings.port')} name="port" min={1} max={65535} />
            <ChoiceItem label={t('settings.protocol')} name="protocol" choices={{ udp: t('settings.udp'), tcp: t('settings.tcp') }} />
          </>
        )}
        <Form.Item label={t('settings.minSeverity')} name="minSeverity">
          <Select options={['critical', 'high', 'medium', 'low', 'info'].map((s) => ({ value: s, label: t(`severity.${s}` as 'severity.high') }))} />
        </Form.Item>
      </FormModal>
    </>
  );
}
