// Shared pieces of the pages: loading / empty / error states (errors show
// the API's message), severity and status tags, the current project (from
// project.ts), and filters kept in the URL's query string.
import type { CSSProperties, ReactNode } from 'react';
import { Alert, Empty, Spin } from 'antd';
import useTagStyle from 'antd/es/tag/style';
import { FastColor } from '@ant-design/fast-color';
import { useSearchParams } from 'react-router-dom';
import { useI18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/messages';

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Loading, error (with the API's message) or empty state; else the children. */
export function QueryState({ query, empty, children }: { query: { isLoading: boolean; error: unknown }; empty?: boolean; children: ReactNode }) {
  const { t } = useI18n();
  if (query.isLoading)
    return (
      <div className="state" role="status">
        <Spin /> <span>{t('common.loading')}</span>
      </div>
    );
  if (query.error) return <Alert type="error" showIcon role="alert" message={t('common.loadFailed')} description={errorMessage(query.error)} />;
  if (empty) return <Empty description={t('common.empty')} />;
  return <>{children}</>;
}

// Solid tags with white text: each colour has at least 4.5:1 contrast (WCAG AA; the axe-core test checks it).
export const TAG = { critical: '#9d174d', red: '#b91c1c', orange: '#b45309', blue: '#1d4ed8', green: '#15803d', purple: '#6d28d9' } as const;
const SEV_COLORS: Record<string, string> = { critical: TAG.critical, high: TAG.red, medium: TAG.orange, low: TAG.blue, info: 'default', unknown: 'default' };

const tagColors = new Map<string, CSSProperties>();

/**
 * antd's filled Tag in a custom colour (text in the colour on its hue at 95 %
 * lightness, as antd/es/tag/hooks/useColor.js computes it), or 'default'.
 * Not antd's Tag itself: a list shows two per row, and each of its many
 * hooks (and the colour computed again per tag) was a visible part of a
 * list's first render (bench/README.md).
 */
export function ColorTag({ color, children }: { color: string; children: ReactNode }) {
  const [, cssVar] = useTagStyle('ant-tag');
  let style = tagColors.get(color);
  if (!style && color !== 'default') {
    const hsl = new FastColor(color).toHsl();
    style = { backgroundColor: new FastColor({ ...hsl, l: 0.95 }).toHexString(), color };
    tagColors.set(color, style);
  }
  return (
    <span className={`ant-tag ant-tag-filled${color === 'default' ? ' ant-tag-default' : ''} ${cssVar}`} style={style}>
      {children}
    </span>
  );
}

export function SeverityTag({ severity }: { severity: string }) {
  const { t } = useI18n();
  const key = `severity.${severity}` as MessageKey;
  return <ColorTag color={SEV_COLORS[severity] ?? 'default'}>{t(key)}</ColorTag>;
}

const STATUS_COLORS: Record<string, string> = {
  open: TAG.red,
  handled: TAG.green,
  ignored: 'default',
  'false-positive': TAG.purple,
  online: TAG.green,
  offline: 'default',
  degraded: TAG.orange,
  succeeded: TAG.green,
  failed: TAG.red,
  running: TAG.blue,
  queued: 'default',
};

export function StatusTag({ status }: { status: string }) {
  const { t } = useI18n();
  return <ColorTag color={STATUS_COLORS[status] ?? 'default'}>{t(`status.${status}` as MessageKey)}</ColorTag>;
}

/** Filters in the URL: read with get(), change with set() (empty values are removed; cursor resets). */
export function useUrlFilters() {
  const [params, setParams] = useSearchParams();
  return {
    params,
    get: (k: string) => params.get(k) ?? '',
    set(changes: Record<string, string | undefined>) {
      const next = new URLSearchParams(params);
      for (const [k, v] of Object.entries(changes)) {
        if (v === undefined || v === '') next.delete(k);
        else next.set(k, v);
      }
      if (!('cursor' in changes)) next.delete('cursor');
      setParams(next);
    },
  };
}

/**
 * A time relative to now ("5 minutes ago"), its full date as the tooltip.
 * The date is written when the pointer comes over it, not in the list's
 * first render: a page's first Intl date formatter costs 30-130 ms in
 * Chromium (ICU's start-up; bench/README.md).
 */
export function RelativeTime({ iso }: { iso: string }) {
  const { date, relative } = useI18n();
  return (
    <time
      dateTime={iso}
      onPointerEnter={(e) => {
        e.currentTarget.title ||= date(iso);
      }}
    >
      {relative(iso)}
    </time>
  );
}

export { useProject, useProjects } from './project';
