// The application image of issue 16's Performance section, as a root
// filesystem built once and cached: the Debian base (VIGIL_TEST_DEBIAN_ROOTFS),
// plus
//  - /app: a Node application, `npm install` of react-scripts 5.0.1 (a real
//    install: package.json, package-lock.json and ~1,300 packages in
//    node_modules; --ignore-scripts), done once into the cache;
//  - /opt/venv: a real virtualenv (`python3 -m venv`: pip, setuptools) with
//    the machine's Debian Python packages and ~100 more of Debian's
//    python3-* packages (PY_DEBS, downloaded once) in its site-packages:
//    their code and real dist-info/egg-info metadata, the dist-info ones
//    with pip's INSTALLER and a RECORD of their files as pip writes it;
//  - /usr/local/bin: 5 of Debian's Go binaries found on the machine;
//  - /opt/java/lib: 20 jars from /usr/share/java (Debian's Java libraries,
//    e.g. what the `maven` package installs).
// The cache lives in VIGIL_BENCH_CACHE, default $TMPDIR/vigil-bench-cache;
// delete app-image-v2 there to rebuild.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

export const APP_IMAGE_VERSION = 'app-image-v2';
const NPM_APP = 'react-scripts@5.0.1';
export const GO_BINARIES = ['/usr/bin/skopeo', '/usr/bin/umoci', '/usr/bin/containerd', '/usr/sbin/dockerd', '/usr/bin/ctr', '/usr/bin/kubectl'];
const PY_SOURCES = ['/usr/lib/python3/dist-packages'];
const JARS = 20;

export interface AppImage {
  /** The application image's root filesystem. */
  root: string;
  /** What it holds (written when it was built). */
  contents: { npmPackages: number; pythonPackages: number; goBinaries: string[]; jars: string[] };
}

export function benchCache(): string {
  return process.env.VIGIL_BENCH_CACHE || join(tmpdir(), 'vigil-bench-cache');
}

/** Installed npm packages under a node_modules tree (directories with a package.json naming a name and version). */
export function countNpmPackages(nodeModules: string): number {
  let n = 0;
  const visit = (dir: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const p = join(dir, name);
      if (name.startsWith('@')) {
        visit(p);
        continue;
      }
      try {
        const j = JSON.parse(readFileSync(join(p, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
        if (typeof j.name === 'string' && typeof j.version === 'string') n++;
      } catch {
        /* not a package */
      }
      visit(join(p, 'node_modules'));
    }
  };
  visit(nodeModules);
  return n;
}

function npmApp(cache: string, log: (s: string) => void): string {
  const dir = join(cache, 'npm-app');
  if (existsSync(join(dir, '.complete'))) return dir;
  log(`npm install ${NPM_APP} into ${dir} (once; --ignore-scripts)...`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'bench-app', version: '1.0.0', private: true }, null, 2));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', NPM_APP], { cwd: dir, stdio: 'pipe', maxBuffer: 64 << 20 });
  writeFileSync(join(dir, '.complete'), '');
  return dir;
}

/**
 * Debian's Python libraries installed into the virtualenv (`apt-get download`
 * once into the cache, then `dpkg-deb -x`): real packages with their code and
 * their own metadata, dist-info (wheels built by pybuild) and egg-info
 * (setup.py builds) alike, with top_level.txt, entry points and requirements
 * as Debian ships them.
 */
export const PY_DEBS = (
  'alembic appdirs asn1crypto attr babel blinker bs4 cachetools certifi chardet charset-normalizer click colorama ' +
  'configobj cryptography cycler dateutil decorator defusedxml distlib distro docopt docutils extras fabric ' +
  'filelock fixtures flask fonttools future gunicorn html5lib hypothesis idna importlib-metadata iniconfig invoke ' +
  'itsdangerous jinja2 jmespath jsonschema jwt kiwisolver ldap3 lockfile mako markdown mock more-itertools ' +
  'netaddr oauthlib openssl packaging paramiko pathspec pbr pexpect pkg-resources platformdirs pluggy ply ' +
  'prettytable ptyprocess py pyasn1 pyasn1-modules pycparser pygments pyparsing pyrsistent pytest requests ' +
  'requests-oauthlib rsa setuptools simplejson six sortedcontainers soupsieve sqlalchemy stevedore tabulate ' +
  'tenacity termcolor testtools toml tomli toolz tqdm typing-extensions tz urllib3 virtualenv voluptuous wcwidth ' +
  'webencodings werkzeug wheel xmltodict zipp'
)
  .split(' ')
  .map((n) => `python3-${n}`);

function pythonDebs(cache: string, log: (s: string) => void): string {
  const dir = join(cache, 'python-debs');
  if (existsSync(join(dir, '.complete'))) return dir;
  log(`apt-get download ${PY_DEBS.length} Python packages into ${dir} (once)...`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('apt-get', ['download', ...PY_DEBS], { cwd: dir, stdio: 'pipe', maxBuffer: 64 << 20 });
  writeFileSync(join(dir, '.complete'), '');
  return dir;
}

/** pip's RECORD hash: urlsafe base64 of the sha256, without padding. */
const recordHash = (b: Buffer): string => 'sha256=' + createHash('sha256').update(b).digest('base64url');

/** The files under `site` a distribution installed (its metadata directory and its top-level modules), as pip's RECORD lists them. */
function writeRecord(site: string, meta: string): void {
  const tops = existsSync(join(site, meta, 'top_level.txt'))
    ? readFileSync(join(site, meta, 'top_level.txt'), 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
    : [];
  const lines: string[] = [];
  const add = (rel: string): void => {
    const p = join(site, rel);
    const st = lstatSync(p, { throwIfNoEntry: false });
    if (!st) return;
    if (st.isDirectory()) {
      for (const f of readdirSync(p).sort()) if (f !== '__pycache__') add(`${rel}/${f}`);
    } else if (st.isFile()) {
      const b = readFileSync(p);
      lines.push(`${rel},${recordHash(b)},${b.length}`);
    }
  };
  for (const t of tops) {
    add(t);
    add(`${t}.py`);
  }
  for (const f of readdirSync(join(site, meta)).sort()) add(`${meta}/${f}`);
  lines.push(`${meta}/RECORD,,`);
  writeFileSync(join(site, meta, 'RECORD'), lines.join('\n') + '\n');
}

function pythonVenv(venv: string, debs: string): number {
  execFileSync('python3', ['-m', 'venv', venv], { stdio: 'pipe' });
  const lib = join(venv, 'lib');
  const py = readdirSync(lib).find((d) => d.startsWith('python3'));
  if (!py) throw new Error(`${venv}: no lib/python3.* after python3 -m venv`);
  const site = join(lib, py, 'site-packages');
  const unpacked = join(venv, '.debs');
  for (const deb of readdirSync(debs).filter((f) => f.endsWith('.deb'))) execFileSync('dpkg-deb', ['-x', join(debs, deb), unpacked]);
  for (const src of [...PY_SOURCES, join(unpacked, 'usr', 'lib', 'python3', 'dist-packages')]) {
    if (!existsSync(src)) continue;
    for (const name of readdirSync(src)) {
      if (name.endsWith('.pth') || name === '__pycache__' || existsSync(join(site, name))) continue;
      cpSync(join(src, name), join(site, name), { recursive: true, dereference: false, verbatimSymlinks: true });
    }
  }
  rmSync(unpacked, { recursive: true, force: true });
  // As pip leaves a wheel's install: INSTALLER and RECORD (Debian's packages ship neither); egg-info directories stay as built.
  for (const d of readdirSync(site)) {
    if (!d.endsWith('.dist-info') || existsSync(join(site, d, 'RECORD'))) continue;
    writeFileSync(join(site, d, 'INSTALLER'), 'pip\n');
    writeRecord(site, d);
  }
  return readdirSync(site).filter((d) => /\.(dist|egg)-info$/.test(d)).length;
}

/** The application image's rootfs, built once into the cache. */
export function ensureAppImage(base: string, log: (s: string) => void = () => {}): AppImage {
  const cache = benchCache();
  const dir = join(cache, APP_IMAGE_VERSION);
  const done = join(dir, 'contents.json');
  if (existsSync(done)) return { root: join(dir, 'rootfs'), contents: JSON.parse(readFileSync(done, 'utf8')) as AppImage['contents'] };
  mkdirSync(cache, { recursive: true });
  const npm = npmApp(cache, log);
  const pyDebs = pythonDebs(cache, log);
  log(`building the application image in ${dir} (once)...`);
  const stage = `${dir}.stage`;
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  const root = join(stage, 'rootfs');
  // cp -a: the rootfs has device nodes (/dev/ptmx) that fs.cp cannot copy.
  execFileSync('cp', ['-a', base, root]);
  execFileSync('cp', ['-a', npm, join(root, 'app')]);
  rmSync(join(root, 'app', '.complete'));
  const npmPackages = countNpmPackages(join(root, 'app', 'node_modules'));
  const pythonPackages = pythonVenv(join(root, 'opt', 'venv'), pyDebs);
  const goBinaries: string[] = [];
  mkdirSync(join(root, 'usr', 'local', 'bin'), { recursive: true });
  for (const b of GO_BINARIES) {
    if (goBinaries.length === 5 || !existsSync(b)) continue;
    const to = join(root, 'usr', 'local', 'bin', basename(b));
    execFileSync('cp', [realpathSync(b), to]);
    execFileSync('chmod', ['755', to]);
    goBinaries.push(basename(b));
  }
  const jarDir = '/usr/share/java';
  const jars = existsSync(jarDir)
    ? readdirSync(jarDir)
        .filter((f) => f.endsWith('.jar') && lstatSync(join(jarDir, f)).isFile())
        .sort()
        .slice(0, JARS)
    : [];
  mkdirSync(join(root, 'opt', 'java', 'lib'), { recursive: true });
  for (const j of jars) cpSync(join(jarDir, j), join(root, 'opt', 'java', 'lib', j));
  const contents: AppImage['contents'] = { npmPackages, pythonPackages, goBinaries, jars };
  if (npmPackages < 1000 || pythonPackages < 100 || goBinaries.length < 5 || jars.length < JARS)
    throw new Error(`application image short of the issue's mix: ${JSON.stringify({ npmPackages, pythonPackages, goBinaries, jars: jars.length })}`);
  writeFileSync(join(stage, 'contents.json'), JSON.stringify(contents, null, 2));
  rmSync(dir, { recursive: true, force: true });
  renameSync(stage, dir);
  return { root: join(dir, 'rootfs'), contents };
}
