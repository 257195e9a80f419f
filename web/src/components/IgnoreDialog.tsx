// The image detail's "ignore a vulnerability" dialog: for this image or for
// all images, with a reason and an optional expiry date. Its own chunk (the
// page loads it lazily): Ant Design's DatePicker and dayjs are the largest
// part of the image detail and only needed once "Ignore" is clicked.
import { Alert, Button, DatePicker, Form, Input, Modal, Radio } from 'antd';
import type { Dayjs } from 'dayjs';
import type { Finding } from '../api/models';
import { useI18n } from '../i18n/i18n';
import { errorMessage } from './common';

export interface IgnoreInput {
  scope: 'image' | 'all';
  reason: string;
  expires?: Dayjs | null;
  f: Finding;
}

export default function IgnoreDialog({
  finding,
  onClose,
  mutation,
}: {
  finding: Finding;
  onClose(): void;
  mutation: { mutate(v: IgnoreInput): void; error: unknown; isPending: boolean };
}) {
  const { t } = useI18n();
  return (
    <Modal title={t('images.ignoreTitle', { id: finding.refId })} open onCancel={onClose} footer={null} destroyOnHidden>
      <Form
        layout="vertical"
        initialValues={{ scope: 'image' }}
        onFinish={(v: { scope: 'image' | 'all'; reason: string; expires?: Dayjs | null }) => mutation.mutate({ ...v, f: finding })}
      >
        <Form.Item label={t('images.ignoreScope')} name="scope">
          <Radio.Group
            options={[
              { value: 'image', label: t('images.scopeImage') },
              { value: 'all', label: t('images.scopeAll') },
            ]}
          />
        </Form.Item>
        <Form.Item label={t('images.reason')} name="reason" rules={[{ required: true, message: t('common.required') }]}>
          <Input.TextArea rows={2} />
        </Form.Item>
        <Form.Item label={t('images.ignoreExpires')} name="expires" extra={t('images.ignoreExpiresHelp')}>
          <DatePicker disabledDate={(d) => d.isBefore(new Date(), 'day') || d.isSame(new Date(), 'day')} />
        </Form.Item>
        {mutation.error ? <Alert type="error" role="alert" message={errorMessage(mutation.error)} /> : null}
        <Button type="primary" htmlType="submit" loading={mutation.isPending}>
          {t('images.ignoreAction')}
        </Button>
      </Form>
    </Modal>
  );
}
