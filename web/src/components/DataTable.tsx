// The console's list table: a plain semantic <table> with Ant Design's
// table classes (its prebuilt CSS gives it the same look as antd's Table),
// for the lists the console shows: server-side sorting (header buttons with
// aria-sort), row selection (native checkboxes), an ellipsis column, the
// empty state. Why not antd's Table: a first load of a list page spent most
// of its rendering in it (per cell several components and hooks, and a
// layout effect that measures the scrollbar, forcing a synchronous layout
// of the freshly inserted rows; bench/README.md, console first load). Pages
// that need antd's other features (expandable rows, client paging) use
// antd's Table directly.
import { useEffect, useRef, type ReactNode } from 'react';
import { Empty } from 'antd';
import type { ColumnType } from 'antd/es/table';
// antd's own style hooks of the table and the checkbox: they add the
// components' CSS variables (derived from the theme) that antd's prebuilt CSS
// reads, as antd's Table and Checkbox do.
import useTableStyle from 'antd/es/table/style';
import useCheckboxStyle from 'antd/es/checkbox/style';
import { useI18n } from '../i18n/i18n';

type ColumnBase<T> = Omit<ColumnType<T>, 'dataIndex' | 'render' | 'sorter'> & { sorter?: boolean };
/**
 * A column whose `dataIndex` is a field of the row type (the API's generated
 * type), and whose render takes that field's type: a field the server
 * renames, drops or makes nullable fails the console's typecheck here too.
 */
export type Column<T> =
  | { [K in keyof T & string]: ColumnBase<T> & { dataIndex: K; render?: (value: T[K], row: T, index: number) => ReactNode } }[keyof T & string]
  | (ColumnBase<T> & { dataIndex?: undefined; key: string; render?: (value: unknown, row: T, index: number) => ReactNode });

export type SortOrder = 'ascend' | 'descend' | null;

export interface DataTableProps<T> {
  columns: Column<T>[];
  dataSource: readonly T[];
  /** The row's key field (default `id`). */
  rowKey?: keyof T & string;
  size?: 'small' | 'middle';
  /** Checkbox selection of rows by key. */
  rowSelection?: { selectedRowKeys: readonly string[]; onChange(keys: string[]): void };
  /** A sortable column's header was activated: its field (dataIndex, else key) and the next order (ascend, descend, none: as antd). */
  onSort?(field: string, order: SortOrder): void;
}

const NEXT_ORDER: Record<'ascend' | 'descend' | 'none', SortOrder> = { none: 'ascend', ascend: 'descend', descend: null };

const CARET_UP = 'M858.9 689L530.5 308.2c-9.4-10.9-27.5-10.9-37 0L165.1 689c-12.2 14.2-1.2 35 18.5 35h656.8c19.7 0 30.7-20.8 18.5-35z';
const CARET_DOWN = 'M840.4 300H183.6c-19.7 0-30.7 20.8-18.5 35l328.4 380.8c9.4 10.9 27.5 10.9 37 0L858.9 335c12.2-14.2 1.2-35-18.5-35z';

function Caret({ up, active }: { up: boolean; active: boolean }) {
  return (
    <span className={`anticon anticon-caret-${up ? 'up' : 'down'} ant-table-column-sorter-${up ? 'up' : 'down'}${active ? ' active' : ''}`}>
      <svg viewBox="0 0 1024 1024" focusable="false" width="1em" height="1em" fill="currentColor" aria-hidden="true">
        <path d={up ? CARET_UP : CARET_DOWN} />
      </svg>
    </span>
  );
}

/** antd's checkbox markup around a native input (its CSS draws the box and the check). */
function Check({ label, checked, indeterminate, onChange }: { label: string; checked: boolean; indeterminate?: boolean; onChange(on: boolean): void }) {
  const ref = useRef<HTMLInputElement>(null);
  const [, cssVar] = useCheckboxStyle('ant-checkbox', 'ant-checkbox-css-var');
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = !!indeterminate;
  }, [indeterminate]);
  const state = checked ? ' ant-checkbox-checked' : indeterminate ? ' ant-checkbox-indeterminate' : '';
  return (
    <label className={`${cssVar} ant-checkbox-wrapper ant-checkbox-css-var${checked ? ' ant-checkbox-wrapper-checked' : ''}`}>
      <span className={`ant-checkbox${state}`}>
        <input ref={ref} aria-label={label} className="ant-checkbox-input" type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      </span>
    </label>
  );
}

/** A list without client paging, keyed by `rowKey` (default `id`), with the translated empty text. */
export function DataTable<T extends object>({ columns, dataSource, rowKey = 'id' as keyof T & string, size, rowSelection, onSort }: DataTableProps<T>) {
  const { t } = useI18n();
  const [, cssVar] = useTableStyle('ant-table', 'ant-table-css-var');
  const keyOf = (r: T) => String(r[rowKey]);
  const selected = new Set(rowSelection?.selectedRowKeys);
  const allKeys = dataSource.map(keyOf);
  const nSelected = allKeys.filter((k) => selected.has(k)).length;
  const fixed = columns.some((c) => c.ellipsis);
  const span = columns.length + (rowSelection ? 1 : 0);
  const field = (c: Column<T>) => String(c.dataIndex ?? c.key);
  return (
    <div className={`${cssVar} ant-table-css-var ant-table-wrapper`}>
      <div className={`ant-table${size === 'small' ? ' ant-table-small' : size === 'middle' ? ' ant-table-middle' : ''}`}>
        <div className="ant-table-container">
          <div className="ant-table-content">
            <table style={{ tableLayout: fixed ? 'fixed' : 'auto' }}>
              {rowSelection && (
                <colgroup>
                  <col className="ant-table-selection-col" />
                </colgroup>
              )}
              <thead className="ant-table-thead">
                <tr>
                  {rowSelection && (
                    <th className="ant-table-cell ant-table-selection-column" scope="col">
                      <div className="ant-table-selection">
                        <Check
                          label={t('table.selectAll')}
                          checked={allKeys.length > 0 && nSelected === allKeys.length}
                          indeterminate={nSelected > 0 && nSelected < allKeys.length}
                          onChange={(on) => rowSelection.onChange(on ? allKeys : [])}
                        />
                      </div>
                    </th>
                  )}
                  {columns.map((c) => {
                    const cls = `ant-table-cell${c.ellipsis ? ' ant-table-cell-ellipsis' : ''}`;
                    const title = c.title as ReactNode;
                    if (!c.sorter) {
                      return (
                        <th
                          key={field(c)}
                          className={cls}
                          scope="col"
                          style={c.width ? { width: c.width } : undefined}
                          title={c.ellipsis && typeof title === 'string' ? title : undefined}
                        >
                          {title}
                        </th>
                      );
                    }
                    const order = c.sortOrder ?? null;
                    const next = NEXT_ORDER[order ?? 'none'];
                    const activate = () => onSort?.(field(c), next);
                    return (
                      <th
                        key={field(c)}
                        className={`${cls} ant-table-column-has-sorters${order ? ' ant-table-column-sort' : ''}`}
                        scope="col"
                        tabIndex={0}
                        aria-sort={order === 'ascend' ? 'ascending' : order === 'descend' ? 'descending' : undefined}
                        aria-label={typeof title === 'string' ? title : undefined}
                        title={t(next === 'ascend' ? 'table.sortAsc' : next === 'descend' ? 'table.sortDesc' : 'table.sortCancel')}
                        onClick={activate}
                        onKeyDown={(e) => {
                          if (e.key === 'Enter' || e.key === ' ') {
                            e.preventDefault();
                            activate();
                          }
                        }}
                      >
                        <div className="ant-table-column-sorters">
                          <span className="ant-table-column-title">{title}</span>
                          <span className="ant-table-column-sorter ant-table-column-sorter-full">
                            <span className="ant-table-column-sorter-inner" aria-hidden="true">
                              <Caret up active={order === 'ascend'} />
                              <Caret up={false} active={order === 'descend'} />
                            </span>
                          </span>
                        </div>
                      </th>
                    );
                  })}
                </tr>
              </thead>
              <tbody className="ant-table-tbody">
                {dataSource.length === 0 ? (
                  <tr className="ant-table-placeholder">
                    <td className="ant-table-cell" colSpan={span}>
                      <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('common.empty')} />
                    </td>
                  </tr>
                ) : (
                  dataSource.map((r, i) => {
                    const key = keyOf(r);
                    const on = selected.has(key);
                    return (
                      <tr key={key} className={`ant-table-row ant-table-row-level-0${on ? ' ant-table-row-selected' : ''}`} data-row-key={key}>
                        {rowSelection && (
                          <td className="ant-table-cell ant-table-selection-column">
                            <Check
                              label={t(on ? 'table.rowSelected' : 'table.selectRow', { n: i + 1 })}
                              checked={on}
                              onChange={(v) =>
                                rowSelection.onChange(v ? [...rowSelection.selectedRowKeys, key] : rowSelection.selectedRowKeys.filter((k) => k !== key))
                              }
                            />
                          </td>
                        )}
                        {columns.map((c) => {
                          const value = c.dataIndex === undefined ? undefined : r[c.dataIndex];
                          const content = c.render ? (c.render as (v: unknown, row: T, index: number) => ReactNode)(value, r, i) : (value as ReactNode);
                          return (
                            <td
                              key={field(c)}
                              className={`ant-table-cell${c.ellipsis ? ' ant-table-cell-ellipsis' : ''}${c.sortOrder ? ' ant-table-column-sort' : ''}`}
                              title={c.ellipsis && (typeof content === 'string' || typeof content === 'number') ? String(content) : undefined}
                            >
                              {content}
                            </td>
                          );
                        })}
                      </tr>
                    );
                  })
                )}
              </tbody>
            </table>
          </div>
        </div>
      </div>
    </div>
  );
}
