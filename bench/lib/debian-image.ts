// Images made from the debootstrap'ed Debian rootfs, shared by the
// cross-source end-to-end test and the benchmarks: the expected package set
// (dpkg-query), an OCI layout with the rootfs as one gzip layer (umoci), a
// docker-archive of it (skopeo: uncompressed layer; or packed here: the gzip
// layer as stored), and running the compiled CLI.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const VIGIL_CLI = join(REPO_ROOT, 'dist', 'cli', 'main.js');
export const DEFAULT_DEBIAN_ROOTFS = '/var/cache/vigil-ci/bookworm-minbase';

/** The rootfs from VIGIL_TEST_DEBIAN_ROOTFS or the CI default; undefined when it is not there. */
export function debianRootfs(): string | undefined {
  const root = process.env.VIGIL_TEST_DEBIAN_ROOTFS || DEFAULT_DEBIAN_ROOTFS;
  return existsSync(join(root, 'var', 'lib', 'dpkg', 'status')) ? root : undefined;
}

/** `name version` lines as dpkg itself lists them (binary package names, full versions with epoch). */
export async function dpkgPackages(root: string): Promise<string[]> {
  const { stdout } = await run('dpkg-query', [`--admindir=${join(root, 'var', 'lib', 'dpkg')}`, '-W', '-f', '${Package} ${Version}\\n'], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout.split('\n').filter(Boolean).sort();
}

/** Build `DIR` as an OCI layout whose image TAG has the rootfs as its one (gzip) layer. Returns the skopeo/vigil reference `oci:DIR:TAG`. */
export async function buildOciLayout(root: string, dir: string, tag: string): Promise<string> {
  await run('umoci', ['init', '--layout', dir]);
  await run('umoci', ['new', '--image', `${dir}:${tag}`]);
  const rootless = process.getuid?.() === 0 ? [] : ['--rootless'];
  await run('umoci', ['insert', ...rootless, '--image', `${dir}:${tag}`, root, '/'], { maxBuffer: 64 * 1024 * 1024 });
  return `oci:${dir}:${tag}`;
}

export async function skopeoCopy(src: string, dest: string, extra: string[] = []): Promise<void> {
  try {
    await run('skopeo', ['copy', '--insecure-policy', '--quiet', ...extra, src, dest], { maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
  } catch (e) {
    const err = e as Error & { stderr?: string };
    throw new Error(`skopeo copy ${src} ${dest} failed: ${err.stderr ?? err.message}`);
  }
}

interface OciImageFiles {
  configPath: string;
  configHex: string;
  layerPaths: string[];
  layerHexes: string[];
}

async function ociImageFiles(dir: string, tag: string): Promise<OciImageFiles> {
  const blob = (d: string): string => join(dir, 'blobs', 'sha256', d.replace(/^sha256:/, ''));
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string; annotations?: Record<string, string> }> };
  const desc = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
  if (!desc) throw new Error(`${dir}: no image tagged ${tag}`);
  const manifest = JSON.parse(await readFile(blob(desc.digest), 'utf8')) as { config: { digest: string }; layers: Array<{ digest: string }> };
  return {
    configPath: blob(manifest.config.digest),
    configHex: manifest.config.digest.slice(7),
    layerPaths: manifest.layers.map((l) => blob(l.digest)),
    layerHexes: manifest.layers.map((l) => l.digest.slice(7)),
  };
}

/**
 * A docker-archive (`docker save` layout: manifest.json, config, layers) that
 * keeps the OCI layout's gzip layers as they are, as `docker load` accepts.
 * Returns the archive and the gzip layer files (for the gunzip floor).
 */
export async function gzipDockerArchive(ociDir: string, tag: string, file: string, repoTag: string): Promise<{ archive: string; layers: string[] }> {
  const img = await ociImageFiles(ociDir, tag);
  const stage = `${file}.stage`;
  await rm(stage, { recursive: true, force: true });
  await mkdir(stage, { recursive: true });
  try {
    const names = [`${img.configHex}.json`];
    await link(img.configPath, join(stage, `${img.configHex}.json`));
    const layerNames: string[] = [];
    for (const [i, p] of img.layerPaths.entries()) {
      const n = `${img.layerHexes[i]}.tar.gz`;
      await link(p, join(stage, n));
      layerNames.push(n);
    }
    await writeFile(join(stage, 'manifest.json'), JSON.stringify([{ Config: names[0], RepoTags: [repoTag], Layers: layerNames }]));
    await rm(file, { force: true });
    await run('tar', ['-cf', file, '-C', stage, 'manifest.json', ...names, ...layerNames]);
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
  return { archive: file, layers: img.layerPaths };
}

export interface VigilResult {
  stdout: string;
  stderr: string;
}

/** Run the compiled CLI (`node dist/cli/main.js ARGS`). */
export async function runVigil(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<VigilResult> {
  if (!existsSync(VIGIL_CLI)) throw new Error(`${VIGIL_CLI} is missing: run \`npm run build\` first`);
  try {
    return await run(process.execPath, [VIGIL_CLI, ...args], { maxBuffer: 256 * 1024 * 1024, env, timeout: 300_000 });
  } catch (e) {
    const err = e as Error & { stderr?: string; code?: number };
    throw new Error(`vigil ${args.join(' ')} exited ${err.code}: ${(err.stderr ?? err.message).slice(0, 2000)}`);
  }
}

/** `name version` of the deb packages of a `vigil sbom --format json` report. */
export function sbomDebPackages(json: string): string[] {
  const report = JSON.parse(json) as { packages?: Array<{ name: string; version: string; type: string }> };
  if (!Array.isArray(report.packages)) throw new Error('sbom JSON has no "packages" array');
  return report.packages
    .filter((p) => p.type === 'deb')
    .map((p) => `${p.name} ${p.version}`)
    .sort();
}

/** `name version` of the library components of a Trivy CycloneDX SBOM (the OS component left out). */
export function trivyPackages(json: string): string[] {
  const bom = JSON.parse(json) as { components?: Array<{ name: string; version?: string; type: string }> };
  return (bom.components ?? [])
    .filter((c) => c.type !== 'operating-system')
    .map((c) => `${c.name} ${c.version ?? ''}`)
    .sort();
}

/** Lines only in a, only in b (for messages). */
export function setDiff(a: string[], b: string[]): { onlyA: string[]; onlyB: string[] } {
  const sa = new Set(a);
  const sb = new Set(b);
  return { onlyA: a.filter((x) => !sb.has(x)), onlyB: b.filter((x) => !sa.has(x)) };
}
