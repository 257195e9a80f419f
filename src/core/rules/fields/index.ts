// The index of field families: one module per family, one line each here.
// Adding a family (e.g. the cluster issue's `ka.*`/`jevt.*` in k8saudit.ts)
// is one import and one entry in FIELD_FAMILIES. Field names are resolved by
// exact name, then `name[arg]`, then Falco's dotted argument form
// (`evt.arg.flags` = `evt.arg[flags]`) for fields that take an argument.
import type { EngineEvent, EventSource, FieldDef, FieldFamily } from '../../events/event.js';
import { ModuleIndex } from '../../module-index.js';
import { evtFields } from './evt.js';
import { procFields } from './proc.js';
import { userFields } from './user.js';
import { fdFields } from './fd.js';
import { containerFields } from './container.js';
import { k8sFields } from './k8s.js';
import { k8sauditFields } from './k8saudit.js';

export const FIELD_FAMILIES: ReadonlyArray<FieldFamily<any>> = [evtFields, procFields, userFields, fdFields, containerFields, k8sFields, k8sauditFields];

/** Index of families by id: throws on a duplicate family id. */
export const fieldFamilyIndex = new ModuleIndex<FieldFamily<any> & { version?: number }>('field family', FIELD_FAMILIES);

export interface ResolvedField {
  def: FieldDef<EngineEvent>;
  source: EventSource;
  arg?: string;
}

const bySource = new Map<EventSource, Map<string, FieldDef<any>>>();
for (const fam of FIELD_FAMILIES) {
  let m = bySource.get(fam.source);
  if (!m) bySource.set(fam.source, (m = new Map()));
  for (const f of fam.fields) {
    if (m.has(f.name)) throw new Error(`duplicate field ${f.name} in family ${fam.id}`);
    m.set(f.name, f);
  }
}

/** All fields of one source, sorted by name (docs, `vigil rules fields`). */
export function fieldsOf(source: EventSource): FieldDef<any>[] {
  return [...(bySource.get(source)?.values() ?? [])].sort((a, b) => (a.name < b.name ? -1 : 1));
}

/**
 * Resolve a field reference as written in a condition (`proc.aname[2]`,
 * `evt.arg.flags`, `fd.name`) for a rule source. Undefined when Vigil does
 * not support it for that source.
 */
export function resolveField(ref: string, source: EventSource): ResolvedField | undefined {
  const m = bySource.get(source);
  if (!m) return undefined;
  let name = ref;
  let arg: string | undefined;
  const br = ref.indexOf('[');
  if (br > 0 && ref.endsWith(']')) {
    name = ref.slice(0, br);
    arg = ref.slice(br + 1, -1);
  }
  const def = m.get(name);
  if (def) {
    if (arg !== undefined && !def.arg) return undefined;
    if (arg === undefined && def.arg === 'required') return undefined;
    return arg === undefined ? { def, source } : { def, source, arg };
  }
  if (arg !== undefined) return undefined;
  // Falco's dotted argument form: the longest field prefix that takes an argument.
  for (let i = name.lastIndexOf('.'); i > 0; i = name.lastIndexOf('.', i - 1)) {
    const d = m.get(name.slice(0, i));
    if (d?.arg) return { def: d, source, arg: name.slice(i + 1) };
  }
  return undefined;
}
