// Alpine secdb JSON (https://secdb.alpinelinux.org/v3.19/main.json) ->
// advisories: `packages[].pkg.secfixes` maps a fixed version to the ids it
// fixes; version "0" means the branch was never affected.
import { InputError } from '../errors.js';
import type { Advisory } from './advisory.js';

type Json = Record<string, unknown>;
const isObj = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

export function isAlpineSecdb(doc: unknown): boolean {
  return isObj(doc) && typeof doc.distroversion === 'string' && Array.isArray(doc.packages);
}

export function convertAlpineSecdb(doc: unknown, where: string): Advisory[] {
  if (!isAlpineSecdb(doc)) throw new InputError('ALPINE_SECDB_INVALID', 'not an Alpine secdb document (needs "distroversion" and "packages")', where);
  const d = doc as Json;
  const branch = String(d.distroversion).trim();
  if (!/^v\d+\.\d+$|^edge$/.test(branch)) throw new InputError('ALPINE_SECDB_INVALID', `unexpected distroversion "${branch.slice(0, 40)}"`, where);
  const repo = typeof d.reponame === 'string' ? d.reponame : 'main';
  const ecosystem = `Alpine:${branch}`;
  const byId = new Map<string, Advisory>();
  for (const p of d.packages as unknown[]) {
    if (!isObj(p) || !isObj(p.pkg) || typeof p.pkg.name !== 'string') throw new InputError('ALPINE_SECDB_INVALID', 'package entry without pkg.name', where);
    const name = p.pkg.name;
    const secfixes = p.pkg.secfixes ?? {};
    if (!isObj(secfixes)) throw new InputError('ALPINE_SECDB_INVALID', `${name}: secfixes is not an object`, where);
    for (const [fixed, ids] of Object.entries(secfixes)) {
      if (!Array.isArray(ids)) throw new InputError('ALPINE_SECDB_INVALID', `${name} ${fixed}: ids are not a list`, where);
      if (fixed === '0') continue;
      for (const entry of ids) {
        if (typeof entry !== 'string') continue;
        // Entries are "CVE-2023-1234", sometimes several ids separated by spaces.
        for (const id of entry.split(/\s+/).filter((x) => /^[A-Z][A-Z0-9]*-[\w.-]+$/.test(x))) {
          let adv = byId.get(id);
          if (!adv) {
            adv = {
              id,
              dbKey: `alpine-secdb/${branch}/${repo}/${id}`,
              source: 'alpine',
              aliases: [],
              upstream: [],
              related: [],
              severity: [],
              references: [`https://security.alpinelinux.org/vuln/${id}`],
              affected: [],
            };
            byId.set(id, adv);
          }
          if (!adv.affected.some((a) => a.name === name)) {
            adv.affected.push({ ecosystem, name, versions: [], ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }] });
          }
        }
      }
    }
  }
  return [...byId.values()];
}
