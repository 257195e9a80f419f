// Test helpers of the ecosystem modules: advisories keyed as the vulnerability
// DB keys them (lower-cased ecosystem and name), so ecosystem tests run
// matchPackages without a DB; OSV records with one affected package; and
// `testEcosystem`, the table each language ecosystem's test fills in (match
// key, purl, comparator, OSV ranges through that comparator).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Package } from '../inventory/types.js';
import type { Advisory } from '../vulndb/advisory.js';
import { matchPackages, type AdvisoryHead, type AdvisoryLookup, type AffectedRow } from '../vulndb/match.js';
import { parseOsv } from '../vulndb/osv.js';
import { comparatorForEcosystem } from './comparator.js';
import { matchKey, purlOf } from './index.js';

export function lookupOf(advisories: Advisory[]): AdvisoryLookup {
  const heads: AdvisoryHead[] = [];
  const rows = new Map<string, AffectedRow[]>();
  for (const { affected, ...head } of advisories) {
    heads.push(head);
    for (const x of affected) {
      const k = `${x.ecosystem.toLowerCase()}\u0000${x.name.toLowerCase()}`;
      rows.set(k, [...(rows.get(k) ?? []), { key: heads.length - 1, affected: x }]);
    }
  }
  return { affected: (e, n) => rows.get(`${e}\u0000${n}`) ?? [], advisory: (k) => heads[k] };
}

/** `package@installed:id:fixed` of every finding, sorted. */
export function found(pkgs: Package[], advisories: Advisory[]): string[] {
  return matchPackages(pkgs, undefined, lookupOf(advisories))
    .map((f) => `${f.package}@${f.installedVersion}:${f.id}:${f.fixedVersion}`)
    .sort();
}

/** An OSV record (as OSV publishes it) naming one package, parsed as the DB import parses it. */
export function osvAdvisory(
  head: { id: string; aliases?: string[]; summary?: string; database_specific?: object },
  pkg: { ecosystem: string; name: string; purl?: string },
  ranges: object[],
  versions?: string[],
): Advisory {
  return parseOsv({ ...head, affected: [{ package: pkg, ranges, ...(versions ? { versions } : {}) }] }, `${head.id}.json`);
}

export interface EcosystemCase {
  /** The ecosystem id the tests are named by. */
  id: string;
  /** A package of this ecosystem as its analyzer reports it. */
  pkg: (name: string, version: string) => Package;
  /** matchKey of pkg(name, version): the expected DB key. */
  key: { name: string; version: string; expect: ReturnType<typeof matchKey> };
  /** [name, version, purl] */
  purls: Array<[string, string, string]>;
  /** [OSV ecosystem name, comparator id] */
  comparators: Array<[string, string]>;
  /** What the ranges test shows (its title). */
  ranges: string;
  advisories: Advisory[];
  /** [[name, version] packages, expected `found` lines, why] */
  matches: Array<[Array<[string, string]>, string[], string?]>;
}

/** The two tests of a language ecosystem: its keys and purls, and OSV ranges through its comparator. */
export function testEcosystem(c: EcosystemCase): void {
  test(`${c.id}: match key, purl, comparator`, () => {
    assert.deepEqual(matchKey(c.pkg(c.key.name, c.key.version), undefined), c.key.expect);
    for (const [name, version, purl] of c.purls) assert.equal(purlOf(c.pkg(name, version)), purl);
    for (const [osv, id] of c.comparators) assert.equal(comparatorForEcosystem(osv)?.id, id, osv);
  });
  test(`${c.id}: OSV ranges through ${c.ranges}`, () => {
    for (const [pkgs, expect, why] of c.matches)
      assert.deepEqual(
        found(
          pkgs.map(([n, v]) => c.pkg(n, v)),
          c.advisories,
        ),
        expect,
        why ?? pkgs.join(' '),
      );
  });
}
