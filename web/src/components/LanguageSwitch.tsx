// The language picker of the header and the login page. Its own module so
// the entry chunk does not pull in page.tsx (Table, Form, Modal): those load
// with the first page that uses them.
import { Select } from 'antd';
import { useI18n, type Lang } from '../i18n/i18n';

export function LanguageSwitch({ width }: { width: number }) {
  const { lang, setLang, t } = useI18n();
  return (
    <Select<Lang>
      aria-label={t('lang.label')}
      value={lang}
      onChange={setLang}
      style={{ width }}
      options={[
        { value: 'en', label: t('lang.en') },
        { value: 'zh', label: t('lang.zh') },
      ]}
    />
  );
}
