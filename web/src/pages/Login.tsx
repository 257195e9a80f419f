import { useState } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { Alert, Button, Card, Form, Input, Space } from 'antd';
import { useAuth } from '../auth';
import { useI18n } from '../i18n/i18n';
import { errorMessage } from '../components/common';
import { LanguageSwitch } from '../components/LanguageSwitch';

/** Only same-site paths are followed after login (no open redirect). */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/overview';
}

export function LoginPage() {
  const { t } = useI18n();
  const { login, session } = useAuth();
  const [params] = useSearchParams();
  const nav = useNavigate();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const next = safeNext(params.get('next'));
  if (session) return <Navigate to={next} replace />;
  const submit = async (v: { username: string; password: string }) => {
    setBusy(true);
    setError(undefined);
    try {
      await login(v.username, v.password);
      nav(next, { replace: true });
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="login">
      <Card>
        <Space direction="vertical" style={{ width: '100%' }} size="middle">
          <h1 className="section-title" style={{ fontSize: 24, margin: 0 }}>
            {t('app.name')}
          </h1>
          <span className="text-secondary">{t('login.subtitle')}</span>
          {params.get('next') && <Alert type="info" showIcon message={t('login.expired')} />}
          {error && <Alert type="error" showIcon role="alert" message={error} />}
          <Form layout="vertical" onFinish={(v) => void submit(v)} requiredMark={false}>
            <Form.Item label={t('login.username')} name="username" rules={[{ required: true, message: t('login.required') }]}>
              <Input autoComplete="username" autoFocus />
            </Form.Item>
            <Form.Item label={t('login.password')} name="password" rules={[{ required: true, message: t('login.required') }]}>
              <Input.Password autoComplete="current-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={busy}>
              {t('login.submit')}
            </Button>
          </Form>
          <LanguageSwitch width={140} />
        </Space>
      </Card>
    </main>
  );
}
