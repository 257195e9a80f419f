// `image.files`: every regular file of the squashed view that no installed OS
// package owns (dpkg .list / md5sums, the apk database, rpm headers) and that
// is not inside a recognised language package. Files that are expected to be
// unowned (package databases, files maintainer scripts generate, caches) are
// kept in the list with `noise` naming the rule that explains them, never
// dropped. Rules are documented in docs/content.md.
import type { FileTree } from '../analyzers/types.js';
import type { LayerRef, Package } from '../inventory/types.js';
import type { FileFinding } from '../scan/types.js';

export interface NoiseRule {
  id: string;
  why: string;
  test: (path: string) => boolean;
}

const ETC_GENERATED = new Set([
  '/etc/passwd',
  '/etc/passwd-',
  '/etc/group',
  '/etc/group-',
  '/etc/shadow',
  '/etc/shadow-',
  '/etc/gshadow',
  '/etc/gshadow-',
  '/etc/subuid',
  '/etc/subgid',
  '/etc/ld.so.cache',
  '/etc/machine-id',
  '/etc/hostname',
  '/etc/hosts',
  '/etc/resolv.conf',
  '/etc/mtab',
  '/etc/fstab',
  '/etc/timezone',
  '/etc/localtime',
  '/etc/shells',
  '/etc/adjtime',
  '/etc/environment',
  '/etc/debconf.conf',
  '/etc/ca-certificates.conf',
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/ld.so.conf.d/libc.conf',
  '/etc/apk/world',
  '/etc/apk/arch',
  '/etc/apk/repositories',
  '/etc/apk/keys',
  '/etc/.pwd.lock',
  '/etc/ssh/ssh_host_rsa_key',
  '/etc/ssh/ssh_host_rsa_key.pub',
  '/etc/ssh/ssh_host_ecdsa_key',
  '/etc/ssh/ssh_host_ecdsa_key.pub',
  '/etc/ssh/ssh_host_ed25519_key',
  '/etc/ssh/ssh_host_ed25519_key.pub',
  '/etc/ssh/sshd_config',
  '/etc/papersize',
  '/etc/mailname',
  '/etc/locale.gen',
  '/etc/default/locale',
]);

export const NOISE_RULES: readonly NoiseRule[] = [
  {
    id: 'package-db',
    why: 'package manager database (dpkg, apk, rpm): written by the package manager, owned by none',
    test: (p) => /^\/(var\/lib\/(dpkg|rpm|apk)|lib\/apk\/db|usr\/lib\/sysimage\/rpm)\//.test(p),
  },
  {
    id: 'package-manager-state',
    why: 'package manager state, lists and caches (apt, debconf, yum/dnf)',
    test: (p) => /^\/var\/(lib\/(apt|ucf|dnf|yum|pam|systemd)|cache\/(apt|debconf|ldconfig|dnf|yum|apk))\//.test(p),
  },
  { id: 'logs', why: 'log files written while building the image', test: (p) => p.startsWith('/var/log/') },
  {
    id: 'etc-generated',
    why: 'configuration that maintainer scripts or the image build generate (accounts, ld.so.cache, hostname, host keys)',
    test: (p) => ETC_GENERATED.has(p) || p.startsWith('/etc/ssl/certs/') || p.startsWith('/etc/alternatives/'),
  },
  {
    id: 'generated-cache',
    why: 'caches that post-install triggers generate (gconv, mime, locale archive, python bytecode, fontconfig, info dir)',
    test: (p) =>
      /(\/__pycache__\/[^/]+\.pyc$|\/gconv-modules\.cache$|^\/usr\/share\/mime\/|^\/usr\/lib\/locale\/locale-archive$|^\/usr\/share\/info\/dir$|^\/var\/cache\/fontconfig\/|\/icon-theme\.cache$|^\/usr\/lib\/[^/]+\/gdk-pixbuf-2\.0\/[^/]+\/loaders\.cache$)/.test(
        p,
      ),
  },
];

/** Directories a language package found at `filePath` owns (its package directory). */
function languageRoots(packages: readonly Package[]): string[] {
  const roots = new Set<string>();
  for (const p of packages) {
    if (p.declared || !p.filePath) continue;
    if (p.type === 'deb' || p.type === 'apk' || p.type === 'rpm') continue;
    const dir = p.filePath.slice(0, p.filePath.lastIndexOf('/'));
    // Only package directories (node_modules/x, site-packages/x.dist-info's parent package, ...), never an app root.
    if (/\/(node_modules|site-packages|dist-packages|vendor|gems)\//.test(dir + '/') && dir.length > 1) roots.add(dir + '/');
  }
  return [...roots].sort();
}

/** Unowned regular files, sorted by path; `noise` names the rule that explains an expected one. */
export function unownedFiles(tree: FileTree, packages: readonly Package[], layers: readonly LayerRef[]): FileFinding[] {
  const owned = new Set<string>();
  for (const p of packages) {
    for (const f of p.files ?? []) {
      owned.add(f);
      // Merged /usr: dpkg lists /bin/ls while the file lives at /usr/bin/ls behind the /bin symlink.
      const real = tree.resolve(f)?.path;
      if (real && real !== f) owned.add(real);
    }
  }
  const roots = languageRoots(packages);
  const inLanguagePackage = (path: string): boolean => {
    // roots is small; a linear scan with startsWith is fine for typical images.
    for (const r of roots) if (path.startsWith(r)) return true;
    return false;
  };
  const out: FileFinding[] = [];
  for (const e of tree.entries()) {
    if (e.kind !== 'file' || owned.has(e.path) || inLanguagePackage(e.path)) continue;
    const f: FileFinding = {
      path: e.path,
      dir: e.path.slice(0, e.path.lastIndexOf('/')) || '/',
      size: e.size,
      mode: e.mode & 0o7777,
      executable: (e.mode & 0o111) !== 0,
      setuid: (e.mode & 0o6000) !== 0,
    };
    const layer = layers[e.layer];
    if (layer) f.layer = layer;
    if (e.sha256) f.sha256 = e.sha256;
    const noise = NOISE_RULES.find((r) => r.test(e.path));
    if (noise) f.noise = noise.id;
    out.push(f);
  }
  return out;
}
