// Adapter: `docker inspect` JSON (one object or an array of them) to
// normalised container specs. Validates shapes; bad input is an InputError
// naming the element and field.
import { InputError } from '../errors.js';
import type { ContainerSpec, SpecMount } from './spec.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function strList(v: unknown, where: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new InputError('CHECK_INPUT_INVALID', 'expected a list of strings', where);
  return v as string[];
}

/** Whether a parsed JSON value looks like docker inspect output. */
export function isDockerInspect(v: unknown): boolean {
  const first = Array.isArray(v) ? v[0] : v;
  return isObj(first) && (isObj(first.HostConfig) || (isObj(first.Config) && 'Image' in first.Config && !('apiVersion' in first)));
}

/** Parse a Binds entry `src:dst[:opts]`. */
function bind(b: string): SpecMount {
  const parts = b.split(':');
  const source = parts[0] ?? '';
  const destination = parts[1] ?? source;
  const opts = (parts[2] ?? '').split(',');
  return { source, destination, type: source.startsWith('/') ? 'bind' : 'volume', readOnly: opts.includes('ro') };
}

export function dockerInspectSpecs(doc: unknown, where = 'docker inspect'): ContainerSpec[] {
  const items = Array.isArray(doc) ? doc : [doc];
  return items.map((c, i) => {
    const at = `${where}[${i}]`;
    if (!isObj(c)) throw new InputError('CHECK_INPUT_INVALID', 'not a container object', at);
    const hc = c.HostConfig ?? {};
    if (!isObj(hc)) throw new InputError('CHECK_INPUT_INVALID', 'HostConfig is not an object', at);
    const cfg = isObj(c.Config) ? c.Config : {};
    const name = typeof c.Name === 'string' ? c.Name.replace(/^\//, '') : typeof c.Id === 'string' ? c.Id.slice(0, 12) : `container-${i}`;
    const secOpts = strList(hc.SecurityOpt, `${at}.HostConfig.SecurityOpt`);
    let seccomp: string | undefined;
    let noNewPrivileges: boolean | undefined;
    for (const o of secOpts) {
      const m = /^([a-z-]+)(?:[=:](.*))?$/i.exec(o.trim());
      if (!m) continue;
      const key = m[1]!.toLowerCase();
      const val = m[2];
      if (key === 'seccomp') seccomp = (val ?? '').toLowerCase() === 'unconfined' ? 'unconfined' : val;
      if (key === 'no-new-privileges') noNewPrivileges = val === undefined || val === '' ? true : val.toLowerCase() === 'true';
    }
    const mounts: SpecMount[] = [];
    const seen = new Set<string>();
    const add = (m: SpecMount) => {
      const k = `${m.source}\0${m.destination}`;
      if (!seen.has(k)) {
        seen.add(k);
        mounts.push(m);
      }
    };
    for (const b of strList(hc.Binds, `${at}.HostConfig.Binds`)) add(bind(b));
    /** The objects of a Mounts list (HostConfig's or the container's), each with a Source, as SpecMounts. */
    const mountList = (v: unknown, name: string, toMount: (m: Record<string, unknown>, source: string) => SpecMount): void => {
      if (v === undefined || v === null) return;
      if (!Array.isArray(v)) throw new InputError('CHECK_INPUT_INVALID', `${name} is not a list`, at);
      for (const m of v) if (isObj(m) && typeof m.Source === 'string') add(toMount(m, m.Source));
    };
    const mountType = (m: Record<string, unknown>): string => String(m.Type ?? 'bind').toLowerCase();
    mountList(hc.Mounts, 'HostConfig.Mounts', (m, source) => ({
      source,
      destination: String(m.Target ?? ''),
      type: mountType(m),
      readOnly: m.ReadOnly === true,
    }));
    mountList(c.Mounts, 'Mounts', (m, source) => ({ source, destination: String(m.Destination ?? ''), type: mountType(m), readOnly: m.RW === false }));
    const spec: ContainerSpec = {
      kind: 'DockerContainer',
      namespace: '',
      name,
      container: name,
      privileged: hc.Privileged === true,
      capAdd: strList(hc.CapAdd, `${at}.HostConfig.CapAdd`),
      mounts,
      hostPID: hc.PidMode === 'host',
      hostNetwork: hc.NetworkMode === 'host',
      hostIPC: hc.IpcMode === 'host',
    };
    const image = typeof cfg.Image === 'string' ? cfg.Image : typeof c.Image === 'string' ? c.Image : undefined;
    if (image) spec.image = image;
    if (isObj(cfg.Labels)) {
      const labels: Record<string, string> = {};
      for (const [k, v] of Object.entries(cfg.Labels)) if (typeof v === 'string') labels[k] = v;
      if (Object.keys(labels).length) spec.labels = labels;
    }
    if (seccomp !== undefined) spec.seccomp = seccomp;
    if (noNewPrivileges !== undefined) spec.noNewPrivileges = noNewPrivileges;
    return spec;
  });
}
