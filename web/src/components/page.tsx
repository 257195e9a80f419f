// The building blocks every list page shares: its title and toolbar, a
// table with the console's defaults, URL-backed filter inputs, cursor
// paging, a confirmed delete button, a form in a modal and the mutations
// behind them (an "add" form, a row action). Pages compose these instead of
// repeating the same antd markup.
import { useState, type ReactNode } from 'react';
import { Alert, Button, Card, Form, Input, InputNumber, Modal, Popconfirm, Select, Space } from 'antd';
import { useMutation, useQuery, useQueryClient, type UseMutationResult, type UseQueryResult } from '@tanstack/react-query';
import { useI18n } from '../i18n/i18n';
import { errorMessage, QueryState, useUrlFilters } from './common';
import { message } from './message';
import { DataTable, type DataTableProps } from './DataTable';

type Filters = ReturnType<typeof useUrlFilters>;

/** The page's h2 title. */
export function PageTitle({ children }: { children: ReactNode }) {
  return <h2 className="page-title">{children}</h2>;
}

/** An "add" button: whether the user may add, its label and what it opens. */
export interface AddButton {
  allowed: boolean;
  label: string;
  onAdd(): void;
}

/** A toolbar (filters as children) ending in a primary "add" button, shown only when allowed. */
export function AddToolbar({ allowed, label, onAdd, children }: AddButton & { children?: ReactNode }) {
  return (
    <div className="toolbar">
      {children}
      {allowed && (
        <Button type="primary" onClick={onAdd}>
          {label}
        </Button>
      )}
    </div>
  );
}

export { DataTable, type Column, type SortOrder } from './DataTable';

type QueryTableProps<T> = Omit<DataTableProps<T>, 'dataSource'> & { query: { isLoading: boolean; error: unknown; data?: { items: T[] } } };

/** A list query's table: its loading and error states (QueryState), then its items in a DataTable. */
export function QueryTable<T extends object>({ query, ...props }: QueryTableProps<T>) {
  return (
    <QueryState query={query}>
      <DataTable<T> dataSource={query.data?.items ?? []} {...props} />
    </QueryState>
  );
}

/** A list with its toolbar: the "add" button (and any filters as children) above the list query's table. */
export function ListSection<T extends object>({ add, children, ...table }: QueryTableProps<T> & { add: AddButton; children?: ReactNode }) {
  return (
    <>
      <AddToolbar {...add}>{children}</AddToolbar>
      <QueryTable<T> {...table} />
    </>
  );
}

/** A titled card of a settings page; its header ends in an "add" button when one is given and allowed. */
export function SectionCard({ title, add, children }: { title: string; add?: AddButton; children: ReactNode }) {
  return (
    <Card title={title} style={{ marginBottom: 16 }} extra={add?.allowed && <Button onClick={add.onAdd}>{add.label}</Button>}>
      {children}
    </Card>
  );
}

/** A row's action buttons, each shown only when allowed; the delete asks before it acts. */
export function RowActions({
  actions = [],
  del,
}: {
  actions?: { label: string; allowed: boolean; onClick(): void; loading?: boolean }[];
  del?: { allowed: boolean; title: string; onConfirm(): void };
}) {
  return (
    <Space>
      {actions
        .filter((a) => a.allowed)
        .map((a) => (
          <Button key={a.label} size="small" loading={a.loading} onClick={a.onClick}>
            {a.label}
          </Button>
        ))}
      {del?.allowed && <ConfirmDelete title={del.title} onConfirm={del.onConfirm} />}
    </Space>
  );
}

/** The options of a yes/no filter (its URL value is 'true' or 'false'). */
export const yesNo = (yes: string, no: string) => [
  { value: 'true', label: yes },
  { value: 'false', label: no },
];

/** A small danger button that asks before it acts. */
export function ConfirmDelete({ title, label, onConfirm }: { title: string; label?: string; onConfirm(): void }) {
  const { t } = useI18n();
  const text = label ?? t('common.delete');
  return (
    <Popconfirm title={title} okText={text} okButtonProps={{ danger: true }} cancelText={t('common.cancel')} onConfirm={onConfirm}>
      <Button size="small" danger>
        {text}
      </Button>
    </Popconfirm>
  );
}

/** A form in a modal: the fields, the mutation's error (the API's message) and a save button. */
/** An "add" form in a modal: whether it is open, and the create mutation (which closes it when it succeeds). */
export interface AddForm<V> {
  open: boolean;
  show(): void;
  close(): void;
  mutation: UseMutationResult<unknown, Error, V>;
}

export function useAddForm<V>(create: (values: V) => Promise<unknown>, onCreated: () => void): AddForm<V> {
  const [open, setOpen] = useState(false);
  const mutation = useMutation({
    mutationFn: create,
    onSuccess: () => {
      setOpen(false);
      onCreated();
    },
  });
  return { open, show: () => setOpen(true), close: () => setOpen(false), mutation };
}

/**
 * A list's query and its refresh after a change: the refresh invalidates every
 * query whose key starts with the same first part (all projects' lists of it).
 */
export function useListQuery<T>(queryKey: readonly unknown[], enabled: boolean, queryFn: () => Promise<T>): [UseQueryResult<T>, () => void] {
  const qc = useQueryClient();
  const query = useQuery({ queryKey, enabled, queryFn });
  return [query, () => void qc.invalidateQueries({ queryKey: queryKey.slice(0, 1) })];
}

/** A mutation started from a row or a button (delete, sync, scan): a failure is shown as a message. */
export function useAction<V = void, R = unknown>(run: (v: V) => Promise<R>, onSuccess?: (result: R) => void): UseMutationResult<R, Error, V> {
  return useMutation({ mutationFn: run, onSuccess, onError: (e) => void message.error(errorMessage(e)) });
}

/** The modal of an add form: its fields, the create error and a save button. */
export function FormModal<V>({ title, form, initialValues, children }: { title: string; form: AddForm<V>; initialValues?: Partial<V>; children: ReactNode }) {
  const { t } = useI18n();
  const { mutation } = form;
  return (
    <Modal title={title} open={form.open} onCancel={form.close} footer={null} destroyOnHidden>
      <Form layout="vertical" initialValues={initialValues} onFinish={(v: V) => mutation.mutate(v)}>
        {children}
        {mutation.error ? <Alert type="error" role="alert" message={errorMessage(mutation.error)} style={{ marginBottom: 12 }} /> : null}
        <Button type="primary" htmlType="submit" loading={mutation.isPending}>
          {t('common.save')}
        </Button>
      </Form>
    </Modal>
  );
}

/** A form field choosing one of a few values: `choices` maps each value to its label, in order. */
export function ChoiceItem<V extends string>({
  label,
  name,
  choices,
  onChange,
}: {
  label: string;
  name: string;
  choices: Record<V, string>;
  onChange?(v: NoInfer<V>): void;
}) {
  return (
    <Form.Item label={label} name={name}>
      <Select<V> onChange={onChange} options={(Object.entries(choices) as [V, string][]).map(([value, text]) => ({ value, label: text }))} />
    </Form.Item>
  );
}

/** A form field that must be filled in (a text input unless `children` gives another control). */
export function RequiredItem({ label, name, extra, children }: { label: string; name: string; extra?: string; children?: ReactNode }) {
  const { t } = useI18n();
  return (
    <Form.Item label={label} name={name} extra={extra} rules={[{ required: true, message: t('common.required') }]}>
      {children ?? <Input />}
    </Form.Item>
  );
}

/** An optional whole-number form field from `min` (to `max`). */
export function NumberItem({ label, name, min, max }: { label: string; name: string; min: number; max?: number }) {
  return (
    <Form.Item label={label} name={name}>
      <InputNumber min={min} max={max} />
    </Form.Item>
  );
}

/** A search box bound to one URL filter (applied on Enter). */
export function FilterSearch({ f, param, label, placeholder, width }: { f: Filters; param: string; label: string; placeholder?: string; width: number }) {
  return (
    <Input.Search
      aria-label={label}
      placeholder={placeholder ?? label}
      defaultValue={f.get(param)}
      allowClear
      onSearch={(v) => f.set({ [param]: v })}
      style={{ width }}
    />
  );
}

/** A select bound to one URL filter. */
export function FilterSelect({
  f,
  param,
  label,
  width,
  options,
}: {
  f: Filters;
  param: string;
  label: string;
  width: number;
  options: { value: string; label: string }[];
}) {
  return (
    <Select
      aria-label={label}
      placeholder={label}
      allowClear
      value={f.get(param) || undefined}
      onChange={(v?: string) => f.set({ [param]: v })}
      style={{ width }}
      options={options}
    />
  );
}

/** Cursor paging kept in the URL: the cursors walked so far make "previous" possible. */
export function useCursorPager(f: Filters) {
  const [cursors, setCursors] = useState<string[]>([]);
  return {
    reset: () => setCursors([]),
    canBack: !!f.get('cursor'),
    back() {
      const prev = cursors.slice(0, -1);
      setCursors(prev);
      f.set({ cursor: prev[prev.length - 1] });
    },
    forward(next: string) {
      setCursors([...cursors, next]);
      f.set({ cursor: next });
    },
  };
}

/** Previous / next buttons for a cursor-paged list. */
export function Pager({ pager, next }: { pager: ReturnType<typeof useCursorPager>; next?: string | null }) {
  const { t } = useI18n();
  return (
    <Space style={{ marginTop: 12 }}>
      <Button disabled={!pager.canBack} onClick={pager.back}>
        {t('common.prev')}
      </Button>
      <Button disabled={!next} onClick={() => next && pager.forward(next)}>
        {t('common.next')}
      </Button>
    </Space>
  );
}
