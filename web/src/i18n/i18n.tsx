// The console's i18n layer: every user-visible string comes from the
// message catalogs (messages.ts) through t(); the language (English or
// Simplified Chinese) is switchable at any time and remembered in
// localStorage. Dates go through Intl with the current language; integers
// and relative times are written without it, as Intl writes them (format.ts:
// the first Intl formatter of a page costs tens of ms). Only English is in the entry chunk: the Chinese catalog
// and Ant Design's Chinese locale load on demand (loadLang) before Chinese is
// shown, at start-up (main.tsx) or when the user switches.
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import type { Locale } from 'antd/es/locale';
import enUS from 'antd/es/locale/en_US';
import { en, type MessageKey } from './messages';
import { format, groupedInteger, relativeTime } from './format';

export type Lang = 'en' | 'zh';
const LANG_KEY = 'vigil.lang';
const catalogs: Partial<Record<Lang, Record<MessageKey, string>>> = { en };
const antdLocales: Partial<Record<Lang, Locale>> = { en: enUS };

/** `make()`, called once, on first use. */
function once<T>(make: () => T): () => T {
  let v: T | undefined;
  return () => (v ??= make());
}

/** Loads the catalogs of a language (once); resolves when it can be shown. */
export async function loadLang(l: Lang): Promise<void> {
  if (catalogs[l]) return;
  const [messages, antd] = await Promise.all([import('./messages.zh'), import('antd/es/locale/zh_CN')]);
  antdLocales.zh = antd.default;
  catalogs.zh = messages.zh;
}

export function initialLang(): Lang {
  const saved = localStorage.getItem(LANG_KEY);
  if (saved === 'en' || saved === 'zh') return saved;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

export type TFn = (key: MessageKey, vars?: Record<string, string | number>) => string;

interface I18n {
  lang: Lang;
  setLang(l: Lang): void;
  t: TFn;
  /** Ant Design's locale for the current language (ConfigProvider). */
  antdLocale: Locale;
  date(iso: string | null | undefined): string;
  relative(iso: string | null | undefined): string;
  num(n: number): string;
}

const Ctx = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const setLang = useCallback((l: Lang) => {
    localStorage.setItem(LANG_KEY, l);
    // Switch once the catalog is here (no flash of keys or mixed languages);
    // if it cannot load, the console stays in the current language.
    void loadLang(l).then(
      () => setLangState(l),
      () => {},
    );
  }, []);
  const value = useMemo<I18n>(() => {
    const locale = lang === 'zh' ? 'zh-CN' : 'en';
    document.documentElement.lang = locale;
    // Built on first use: each Intl constructor loads locale data (tens of
    // ms on a cold page), and most pages need only one or two of them.
    const dtf = once(() => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }));
    const nf = once(() => new Intl.NumberFormat(locale));
    const cat = catalogs[lang] ?? en;
    return {
      lang,
      setLang,
      antdLocale: antdLocales[lang] ?? enUS,
      t: (key, vars) => format(cat[key] ?? en[key] ?? key, vars),
      date: (iso) => (iso ? dtf().format(new Date(iso)) : '—'),
      // Without Intl (format.ts): a list's first render then builds no Intl formatter.
      relative: (iso) => {
        if (!iso) return '—';
        const s = (new Date(iso).getTime() - Date.now()) / 1000;
        const abs = Math.abs(s);
        if (abs < 60) return relativeTime(lang, Math.round(s), 'second');
        if (abs < 3600) return relativeTime(lang, Math.round(s / 60), 'minute');
        if (abs < 86400) return relativeTime(lang, Math.round(s / 3600), 'hour');
        return relativeTime(lang, Math.round(s / 86400), 'day');
      },
      num: (n) => groupedInteger(n) ?? nf().format(n),
    };
  }, [lang, setLang]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}
