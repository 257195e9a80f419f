// The filter toolbar of a list page: one URL-backed input per filter (a
// search box, a select, or a text box applied on Enter such as a date), then
// the page's own buttons. Every list page with filters builds its toolbar
// from a list of these instead of repeating the inputs.
import type { ReactNode } from 'react';
import { Input } from 'antd';
import type { useUrlFilters } from './common';
import { FilterSearch, FilterSelect } from './page';

type Filters = ReturnType<typeof useUrlFilters>;

/** One filter: the URL parameter it sets, its label (also its accessible name) and width. */
export type FilterSpec = { param: string; label: string; width: number } & (
  { kind: 'search'; placeholder?: string } | { kind: 'select'; options: { value: string; label: string }[] } | { kind: 'text'; placeholder: string }
);

/** A select filter over fixed values, each shown by its label. */
export function selectFilter(param: string, label: string, width: number, values: readonly string[], labelOf: (v: string) => string): FilterSpec {
  return { kind: 'select', param, label, width, options: values.map((value) => ({ value, label: labelOf(value) })) };
}

/** A text box bound to one URL filter, applied on Enter (times: the server reads and checks them). */
function FilterText({ f, param, label, placeholder, width }: { f: Filters; param: string; label: string; placeholder: string; width: number }) {
  return (
    <Input
      aria-label={label}
      placeholder={placeholder}
      defaultValue={f.get(param)}
      allowClear
      onPressEnter={(e) => f.set({ [param]: (e.target as HTMLInputElement).value })}
      onClear={() => f.set({ [param]: undefined })}
      style={{ width }}
    />
  );
}

export function FilterToolbar({ f, filters, children }: { f: Filters; filters: FilterSpec[]; children?: ReactNode }) {
  return (
    <div className="toolbar" role="search">
      {filters.map((x) =>
        x.kind === 'search' ? (
          <FilterSearch key={x.param} f={f} param={x.param} label={x.label} placeholder={x.placeholder} width={x.width} />
        ) : x.kind === 'select' ? (
          <FilterSelect key={x.param} f={f} param={x.param} label={x.label} width={x.width} options={x.options} />
        ) : (
          <FilterText key={x.param} f={f} param={x.param} label={x.label} placeholder={x.placeholder} width={x.width} />
        ),
      )}
      {children}
    </div>
  );
}

/** A filter's typed time (a date such as 2026-01-31 is that day's UTC midnight) as ISO 8601; undefined when empty or not a time. */
export { filterTime } from '../api/queries';
