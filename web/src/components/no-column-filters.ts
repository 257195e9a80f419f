// Stands in for Ant Design's table column filter dropdown in the build
// (web/vite.config.mjs resolves antd's `./FilterDropdown` here). That
// dropdown brings Tree, Dropdown, Radio and Checkbox into every page with a
// table (~25 KB gzip); the console filters in each page's toolbar, with the
// filters kept in the URL, never in column headers. antd renders this only
// for a column with `filters` or `filterDropdown`: such a column fails loudly
// here instead of silently losing its filter.
interface FilterItem {
  value: unknown;
  children?: FilterItem[];
}

/** Every filter value, depth first (what antd's own export returns). */
export function flattenKeys(filters: FilterItem[] | undefined): unknown[] {
  const out: unknown[] = [];
  for (const f of filters ?? []) {
    out.push(f.value);
    if (f.children) out.push(...flattenKeys(f.children));
  }
  return out;
}

export default function NoColumnFilters(): never {
  throw new Error('table column filters are not bundled in the console (web/src/components/no-column-filters.ts): filter in the page toolbar instead');
}
