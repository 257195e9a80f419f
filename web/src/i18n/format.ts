/** Fills {name} placeholders of a message. */
export function format(msg: string, vars?: Record<string, string | number>): string {
  if (!vars) return msg;
  return msg.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

/**
 * An integer with thousands separators, as Intl.NumberFormat writes it for
 * English and Chinese (1,234,567); undefined for other numbers (the caller
 * uses Intl). Why not Intl for these: the first Intl formatter a page builds
 * pays for ICU's start-up (30-130 ms of a cold load in Chromium,
 * bench/README.md), and a list's first render needs only integers and
 * relative times.
 */
export function groupedInteger(n: number): string | undefined {
  if (!Number.isSafeInteger(n)) return undefined;
  return (n < 0 ? '-' : '') + String(Math.abs(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export type RelativeUnit = 'second' | 'minute' | 'hour' | 'day';

const EN_UNIT: Record<RelativeUnit, [one: string, many: string]> = {
  second: ['second', 'seconds'],
  minute: ['minute', 'minutes'],
  hour: ['hour', 'hours'],
  day: ['day', 'days'],
};
const EN_AUTO: Record<RelativeUnit, Record<number, string>> = {
  second: { 0: 'now' },
  minute: { 0: 'this minute' },
  hour: { 0: 'this hour' },
  day: { [-1]: 'yesterday', 0: 'today', 1: 'tomorrow' },
};
const ZH_UNIT: Record<RelativeUnit, string> = { second: '秒钟', minute: '分钟', hour: '小时', day: '天' };
const ZH_AUTO: Record<RelativeUnit, Record<number, string>> = {
  second: { 0: '现在' },
  minute: { 0: '此刻' },
  hour: { 0: '这一时间 / 此时' },
  day: { [-2]: '前天', [-1]: '昨天', 0: '今天', 1: '明天', 2: '后天' },
};

/**
 * An integer count of `unit` from now (negative: past) in words, exactly as
 * Intl.RelativeTimeFormat(lang, { numeric: 'auto' }) writes it in English
 * and Simplified Chinese (format.test.ts compares the two), without Intl
 * (see groupedInteger).
 */
export function relativeTime(lang: 'en' | 'zh', value: number, unit: RelativeUnit): string {
  const v = value === 0 ? 0 : value;
  const n = groupedInteger(Math.abs(v))!;
  if (lang === 'zh') return ZH_AUTO[unit][v] ?? `${n}${ZH_UNIT[unit]}${v < 0 ? '前' : '后'}`;
  const auto = EN_AUTO[unit][v];
  if (auto) return auto;
  const word = EN_UNIT[unit][Math.abs(v) === 1 ? 0 : 1];
  return v < 0 ? `${n} ${word} ago` : `in ${n} ${word}`;
}
