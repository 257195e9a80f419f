// Package URLs (https://github.com/package-url/purl-spec) for every package
// type Vigil reports. OS packages carry the distro qualifier
// (`pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12`); the
// epoch goes into a qualifier, as the purl spec's deb and rpm types say.
import type { OsInfo, Package } from '../inventory/types.js';
import { splitEpoch } from '../versions/epoch.js';

const RPM_NAMESPACE: Record<string, string> = {
  rhel: 'redhat', redhat: 'redhat', centos: 'centos', rocky: 'rocky', almalinux: 'almalinux', fedora: 'fedora',
  amazon: 'amazon', 'opensuse-leap': 'opensuse', opensuse: 'opensuse', 'opensuse-tumbleweed': 'opensuse', sles: 'suse',
  ol: 'oracle', oracle: 'oracle', photon: 'photon', mariner: 'mariner', azurelinux: 'azurelinux',
};

function enc(s: string): string {
  return encodeURIComponent(s);
}

function build(type: string, namespace: string | undefined, name: string, version: string, qualifiers: Record<string, string | undefined>): string {
  let s = `pkg:${type}/`;
  if (namespace) s += namespace.split('/').map(enc).join('/') + '/';
  s += enc(name);
  if (version) s += `@${enc(version)}`;
  const q = Object.entries(qualifiers)
    .filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${enc(v)}`);
  if (q.length) s += `?${q.join('&')}`;
  return s;
}

/** Distro qualifier value: `debian-12`, `ubuntu-22.04`, `alpine-3.19.1`. */
export function distroQualifier(os: OsInfo | undefined): string | undefined {
  if (!os || !os.family) return undefined;
  return os.version ? `${os.family}-${os.version}` : os.family;
}

export function purlOf(pkg: Package, os?: OsInfo): string {
  if (pkg.purl) return pkg.purl;
  switch (pkg.type) {
    case 'deb': {
      const { epoch, hasEpoch, rest } = splitEpoch(pkg.version);
      const ns = os?.family === 'ubuntu' ? 'ubuntu' : 'debian';
      return build('deb', ns, pkg.name, rest, { arch: pkg.arch, distro: distroQualifier(os), epoch: hasEpoch ? String(epoch) : undefined });
    }
    case 'rpm': {
      const { epoch, hasEpoch, rest } = splitEpoch(pkg.version);
      const ns = (os && RPM_NAMESPACE[os.family]) ?? os?.family ?? 'redhat';
      return build('rpm', ns, pkg.name, rest, { arch: pkg.arch, distro: distroQualifier(os), epoch: hasEpoch ? String(epoch) : undefined });
    }
    case 'apk': {
      const ns = os?.family && os.family !== 'alpine' ? os.family : 'alpine';
      return build('apk', ns, pkg.name, pkg.version, { arch: pkg.arch, distro: distroQualifier(os) });
    }
    case 'npm': {
      if (pkg.name.startsWith('@') && pkg.name.includes('/')) {
        const [scope, name] = [pkg.name.slice(0, pkg.name.indexOf('/')), pkg.name.slice(pkg.name.indexOf('/') + 1)];
        return build('npm', scope, name, pkg.version, {});
      }
      return build('npm', undefined, pkg.name, pkg.version, {});
    }
    case 'pypi':
      return build('pypi', undefined, pkg.name.toLowerCase().replace(/[-_.]+/g, '-'), pkg.version, {});
    case 'golang': {
      const parts = pkg.name.split('/');
      const name = parts.pop() ?? pkg.name;
      return build('golang', parts.join('/') || undefined, name, pkg.version, {});
    }
    case 'maven': {
      const [group, artifact] = pkg.name.includes(':') ? pkg.name.split(':', 2) as [string, string] : [undefined, pkg.name];
      return build('maven', group, artifact, pkg.version, {});
    }
    case 'gem':
    case 'cargo':
    case 'nuget':
      return build(pkg.type, undefined, pkg.name, pkg.version, {});
    case 'composer': {
      const [vendor, name] = pkg.name.includes('/') ? pkg.name.split('/', 2) as [string, string] : [undefined, pkg.name];
      return build('composer', vendor, name, pkg.version, {});
    }
  }
}
