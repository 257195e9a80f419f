// A node-local image as the node agent scans it (docs/agent.md, "Node-local
// images"): the engine's image ID, its tags, and the inventory the image
// pipeline found (OS and packages, with what vulnerability matching needs).
// The agent sends no findings: the server matches the packages against its
// own vulnerability DB. Read back on the server from the agent's message,
// bounded and validated field by field.
import { InputError } from '../errors.js';
import type { Notice, OsInfo, Package, PackageType } from '../inventory/types.js';

export interface NodeImageScan {
  /** The engine's image ID (`sha256:` digest of the image config). */
  imageId: string;
  /** `repo:tag` names the engine gives it (may be empty). */
  repoTags: string[];
  os?: OsInfo;
  packages: Package[];
  notices: Notice[];
}

export const NODE_IMAGE_LIMITS = { packages: 50_000, repoTags: 100, notices: 100, chars: 1000, present: 10_000 };

const PACKAGE_TYPES: readonly PackageType[] = ['deb', 'apk', 'rpm', 'npm', 'pypi', 'golang', 'maven', 'gem', 'cargo', 'composer', 'nuget'];
const IMAGE_ID = /^sha256:[0-9a-f]{64}$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** What of a package the server stores and matches (file lists and the dependency graph stay on the node). */
export function packageForServer(p: Package): Package {
  const out: Package = { type: p.type, name: p.name, version: p.version };
  for (const k of ['arch', 'sourceName', 'sourceVersion', 'filePath'] as const) if (p[k]) out[k] = p[k];
  if (p.declared) out.declared = true;
  if (p.layer) out.layer = { index: p.layer.index, digest: p.layer.digest };
  return out;
}

/** The agent's message (JSON) as a NodeImageScan, or an input error naming the field. */
export function readNodeImageScan(json: string, where = 'image scan'): NodeImageScan {
  const bad = (problem: string, at = where) => new InputError('AGENT_IMAGE_SCAN', problem, at);
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    throw bad('not JSON');
  }
  if (!isObj(v)) throw bad('not an object');
  const str = (x: unknown, field: string, optional = false): string | undefined => {
    if (x === undefined && optional) return undefined;
    if (typeof x !== 'string' || x.length > NODE_IMAGE_LIMITS.chars || (!optional && x === '')) throw bad(`bad or missing ${field}`);
    return x;
  };
  if (typeof v.imageId !== 'string' || !IMAGE_ID.test(v.imageId)) throw bad('imageId must be sha256:<64 hex>');
  if (!Array.isArray(v.repoTags) || v.repoTags.length > NODE_IMAGE_LIMITS.repoTags)
    throw bad(`repoTags must be a list of at most ${NODE_IMAGE_LIMITS.repoTags}`);
  const repoTags = v.repoTags.map((t, i) => str(t, `repoTags[${i}]`)!);
  let os: OsInfo | undefined;
  if (v.os !== undefined) {
    if (!isObj(v.os)) throw bad('os must be an object');
    os = { family: str(v.os.family, 'os.family')!, version: str(v.os.version, 'os.version', true) ?? '' };
  }
  if (!Array.isArray(v.packages) || v.packages.length > NODE_IMAGE_LIMITS.packages)
    throw bad(`packages must be a list of at most ${NODE_IMAGE_LIMITS.packages}`);
  const packages = v.packages.map((p: unknown, i): Package => {
    const at = `packages[${i}]`;
    if (!isObj(p)) throw bad(`${at} is not an object`);
    if (!PACKAGE_TYPES.includes(p.type as PackageType)) throw bad(`${at}.type is not a package type`);
    const out: Package = { type: p.type as PackageType, name: str(p.name, `${at}.name`)!, version: str(p.version, `${at}.version`)! };
    for (const k of ['arch', 'sourceName', 'sourceVersion', 'filePath'] as const) {
      const x = str(p[k], `${at}.${k}`, true);
      if (x) out[k] = x;
    }
    if (p.declared === true) out.declared = true;
    if (p.layer !== undefined) {
      const l = p.layer;
      if (!isObj(l) || !Number.isInteger(l.index) || (l.index as number) < 0) throw bad(`${at}.layer is not a layer reference`);
      out.layer = { index: l.index as number, digest: str(l.digest, `${at}.layer.digest`)! };
    }
    return out;
  });
  const rawNotices = v.notices ?? [];
  if (!Array.isArray(rawNotices) || rawNotices.length > NODE_IMAGE_LIMITS.notices) throw bad(`notices must be a list of at most ${NODE_IMAGE_LIMITS.notices}`);
  const notices = rawNotices.map((n: unknown, i): Notice => {
    if (!isObj(n) || (n.kind !== 'no-vuln-data' && n.kind !== 'package-db-unreadable')) throw bad(`notices[${i}] is not a notice`);
    const path = str(n.path, `notices[${i}].path`, true);
    return { kind: n.kind, message: str(n.message, `notices[${i}].message`)!, ...(path ? { path } : {}) };
  });
  return { imageId: v.imageId, repoTags, ...(os ? { os } : {}), packages, notices };
}

/**
 * The node's message of the images it holds now (JSON `{images: [image ID, ...], names?: {<image ID>: [repo:tag, ...]}}`):
 * the image IDs, and the names each has on the node (absent from agents older than the names: undefined), or an
 * input error naming the field.
 */
export function readNodeImages(json: string, where = 'node images'): { images: string[]; names?: Map<string, string[]> } {
  const bad = (problem: string) => new InputError('AGENT_IMAGE_SCAN', problem, where);
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    throw bad('not JSON');
  }
  if (!isObj(v) || !Array.isArray(v.images) || v.images.length > NODE_IMAGE_LIMITS.present)
    throw bad(`images must be a list of at most ${NODE_IMAGE_LIMITS.present} image IDs`);
  const images = v.images.map((x, i) => {
    if (typeof x !== 'string' || !IMAGE_ID.test(x)) throw bad(`images[${i}] must be sha256:<64 hex>`);
    return x;
  });
  if (v.names === undefined) return { images };
  if (!isObj(v.names)) throw bad('names must be an object of image ID to names');
  const held = new Set(images);
  const names = new Map<string, string[]>();
  for (const [id, list] of Object.entries(v.names)) {
    if (!held.has(id)) throw bad(`names: ${id.slice(0, 80)} is not one of the images`);
    if (!Array.isArray(list) || list.length > NODE_IMAGE_LIMITS.repoTags)
      throw bad(`names[${id.slice(0, 80)}] must be a list of at most ${NODE_IMAGE_LIMITS.repoTags}`);
    names.set(
      id,
      list.map((t, i) => {
        if (typeof t !== 'string' || t === '' || t.length > NODE_IMAGE_LIMITS.chars) throw bad(`names[${id.slice(0, 80)}][${i}] must be a name`);
        return t;
      }),
    );
  }
  return { images, names };
}
