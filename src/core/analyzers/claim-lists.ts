// The long path lists analyzers claim, in one place for the analyzers that
// read them and for the generated manifest (manifest.ts names them instead of
// repeating them).

export const OS_RELEASE = ['/etc/os-release', '/usr/lib/os-release'];
export const DEBIAN_VERSION = '/etc/debian_version';
export const ALPINE_RELEASE = '/etc/alpine-release';
/** Most specific first: /etc/redhat-release is often a symlink to one of the others. */
export const REDHAT_RELEASE = [
  '/etc/centos-release',
  '/etc/rocky-release',
  '/etc/almalinux-release',
  '/etc/oracle-release',
  '/etc/fedora-release',
  '/etc/redhat-release',
  '/etc/system-release',
];
export const DISTROLESS_BASE_FILES = '/var/lib/dpkg/status.d/base-files';
/** Every file the os-release analyzer reads. */
export const OS_RELEASE_PATHS = [...OS_RELEASE, DEBIAN_VERSION, ALPINE_RELEASE, ...REDHAT_RELEASE, DISTROLESS_BASE_FILES];

/** The rpm databases, in order of preference: SQLite first (an image converted from another backend may keep a stale old database). */
export const RPM_DATABASES = [
  '/var/lib/rpm/rpmdb.sqlite',
  '/usr/lib/sysimage/rpm/rpmdb.sqlite',
  '/var/lib/rpm/Packages',
  '/usr/lib/sysimage/rpm/Packages',
  '/var/lib/rpm/Packages.db',
  '/usr/lib/sysimage/rpm/Packages.db',
];

/** The lists above by name, for scripts/gen-analyzer-manifest.ts. */
export const CLAIM_LISTS: Readonly<Record<string, readonly string[]>> = { OS_RELEASE_PATHS, RPM_DATABASES };
