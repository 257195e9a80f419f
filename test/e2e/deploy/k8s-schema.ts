// Validation of Kubernetes objects against the upstream API schemas compiled
// into the npm package kubernetes-models: `validate()` checks types, enums
// and required fields; those schemas allow unknown fields (as the OpenAPI
// document does), so a strict pass runs the same validator over a proxy that
// records which fields it reads: a field the schema never looks at is
// unknown (a misspelling). Maps (labels, annotations, data) are enumerated
// by the validator and so count as read.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

type Obj = Record<string, unknown>;
type ModelCtor = { new (data: Obj): { validate(): void }; prototype: { validate(this: unknown): void } };

function modelOf(apiVersion: string, kind: string): ModelCtor | undefined {
  const path = apiVersion.includes('/') ? `kubernetes-models/${apiVersion}` : `kubernetes-models/${apiVersion}`;
  let mod: Record<string, unknown>;
  try {
    mod = require(path) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  return mod[kind] as ModelCtor | undefined;
}

/** Problems of one object: `[]` when it is valid and every field is known. */
export function validateK8sObject(obj: Obj, where: string): string[] {
  const apiVersion = String(obj.apiVersion ?? '');
  const kind = String(obj.kind ?? '');
  const Model = modelOf(apiVersion, kind);
  if (!Model) return [`${where}: no schema for ${apiVersion} ${kind}`];
  try {
    new Model(obj).validate();
  } catch (e) {
    return [`${where} ${kind}: ${(e as Error).message.split('\n').slice(0, 5).join(' ')}`];
  }
  const seen = new WeakMap<object, { keys: Set<string>; all: boolean }>();
  const wrap = (v: unknown): unknown => {
    if (!v || typeof v !== 'object') return v;
    const target = v as Obj;
    const rec = { keys: new Set<string>(), all: false };
    seen.set(target, rec);
    return new Proxy(target, {
      get(t, k, r) {
        if (typeof k === 'string') rec.keys.add(k);
        return wrapCached(Reflect.get(t, k, r));
      },
      has(t, k) {
        if (typeof k === 'string') rec.keys.add(k);
        return Reflect.has(t, k);
      },
      ownKeys(t) {
        rec.all = true;
        return Reflect.ownKeys(t);
      },
    });
  };
  const proxies = new WeakMap<object, unknown>();
  const wrapCached = (v: unknown): unknown => {
    if (!v || typeof v !== 'object') return v;
    let p = proxies.get(v as object);
    if (!p) proxies.set(v as object, (p = wrap(v)));
    return p;
  };
  const plain = JSON.parse(JSON.stringify(obj)) as Obj;
  Model.prototype.validate.call(wrapCached(plain));
  const problems: string[] = [];
  const walk = (v: unknown, path: string) => {
    if (!v || typeof v !== 'object') return;
    const rec = seen.get(v as object);
    if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, `${path}[${i}]`));
      return;
    }
    for (const k of Object.keys(v)) {
      if (rec && !rec.all && !rec.keys.has(k)) problems.push(`${where} ${kind}: unknown field ${path}.${k}`);
      walk((v as Obj)[k], `${path}.${k}`);
    }
  };
  walk(plain, '');
  return problems;
}
