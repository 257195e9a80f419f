// Output templates: `%field`, `%field[arg]`, `%(field)` and `%%`, compiled
// once into parts; a field Vigil does not support renders `<NA>` as Falco
// prints a missing value.
import type { EngineEvent, EventSource } from '../events/event.js';
import { resolveField } from './fields/index.js';

export interface CompiledOutput {
  render(e: EngineEvent): string;
  /** Field values referenced by the template (alert `fields`). */
  values(e: EngineEvent): Record<string, unknown>;
  fields: string[];
  unsupported: string[];
}

const FIELD = /^[A-Za-z_][A-Za-z0-9_.]*(\[[^\]\s]*\])?/;

export function formatValue(v: unknown): string {
  if (v === undefined || v === null) return '<NA>';
  if (Array.isArray(v)) return v.length ? v.join(',') : '<NA>';
  return String(v);
}

export function compileOutput(template: string, source: EventSource): CompiledOutput {
  const parts: Array<string | { name: string; get: (e: EngineEvent) => unknown }> = [];
  const fields: string[] = [];
  const unsupported: string[] = [];
  let lit = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c !== '%') {
      lit += c;
      continue;
    }
    if (template[i + 1] === '%') {
      lit += '%';
      i++;
      continue;
    }
    let name: string | undefined;
    let len = 0;
    if (template[i + 1] === '(') {
      const j = template.indexOf(')', i + 2);
      if (j > 0) {
        name = template.slice(i + 2, j);
        len = j - i + 1;
      }
    } else {
      const m = FIELD.exec(template.slice(i + 1));
      if (m) {
        name = m[0].replace(/\.+$/, '');
        len = name.length + 1;
      }
    }
    if (!name) {
      lit += c;
      continue;
    }
    if (lit) {
      parts.push(lit);
      lit = '';
    }
    const r = resolveField(name, source);
    if (!r) {
      unsupported.push(name);
      parts.push('<NA>');
    } else {
      const ex = r.def.extract;
      const arg = r.arg;
      fields.push(name);
      parts.push({ name, get: (e) => ex(e, arg) });
    }
    i += len - 1;
  }
  if (lit) parts.push(lit);
  const getters = parts.filter((p): p is { name: string; get: (e: EngineEvent) => unknown } => typeof p !== 'string');
  return {
    fields,
    unsupported,
    render(e) {
      let s = '';
      for (const p of parts) s += typeof p === 'string' ? p : formatValue(p.get(e));
      return s;
    },
    values(e) {
      const o: Record<string, unknown> = {};
      for (const g of getters) {
        const v = g.get(e);
        if (v !== undefined) o[g.name] = v;
      }
      return o;
    },
  };
}
