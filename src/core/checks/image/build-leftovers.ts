// Checks `pkg-cache-left` and `compiler-in-image`: package-manager caches and compilers left in a runtime image.
import { regularFiles, type ImageCheck } from './types.js';

const CACHE_DIRS: Array<[RegExp, string]> = [
  [/^\/var\/cache\/apt\/archives\/[^/]+\.deb$/, 'apt archives (/var/cache/apt/archives)'],
  [/^\/var\/lib\/apt\/lists\/[^/]+_(Packages|Sources|InRelease|Release)(\.[a-z0-9]+)?$/, 'apt lists (/var/lib/apt/lists)'],
  [/^\/var\/cache\/apk\/.+\.(apk|tar\.gz)$/, 'apk cache (/var/cache/apk)'],
  [/^\/var\/cache\/(yum|dnf)\/.+\.(rpm|sqlite|solv|xml\.gz|xml\.zst)$/, 'yum/dnf cache (/var/cache/yum, /var/cache/dnf)'],
  [/^\/(root|home\/[^/]+)\/\.cache\/pip\//, 'pip cache (~/.cache/pip)'],
  [/^\/(root|home\/[^/]+)\/\.npm\/_cacache\//, 'npm cache (~/.npm/_cacache)'],
];

export const pkgCacheCheck: ImageCheck = {
  id: 'pkg-cache-left',
  severity: 'low',
  title: 'Package manager cache left in the image',
  rationale: 'Caches make the image bigger and carry package indexes and archives nothing at run time needs.',
  remedy:
    'Clean in the same RUN that installs (`rm -rf /var/lib/apt/lists/*`, `apk add --no-cache`, `dnf clean all`, `pip --no-cache-dir`, `npm cache clean --force`).',
  cis: '4.3',
  run: (i) => {
    const found = new Map<string, { files: number; bytes: number }>();
    for (const e of regularFiles(i.tree)) {
      for (const [re, name] of CACHE_DIRS) {
        if (!re.test(e.path)) continue;
        const f = found.get(name) ?? { files: 0, bytes: 0 };
        f.files++;
        f.bytes += e.size;
        found.set(name, f);
        break;
      }
    }
    return [...found].map(([name, f]) => ({ detail: `${name}: ${f.files} files, ${f.bytes} bytes` }));
  },
};

/** Compiler and build-tool executables (names in /usr/bin, /usr/local/bin). */
const COMPILERS =
  /^\/usr\/(local\/)?bin\/(gcc|g\+\+|cc|c\+\+|clang|clang\+\+|gcc-\d+|g\+\+-\d+|x86_64-linux-gnu-gcc(-\d+)?|aarch64-linux-gnu-gcc(-\d+)?|tcc|rustc|cargo|go|gccgo|javac|make|cmake|ninja|as|ld)$/;

export const compilerCheck: ImageCheck = {
  id: 'compiler-in-image',
  severity: 'low',
  title: 'Compiler or build tool in the image',
  rationale: 'A compiler lets an intruder build exploits and tools inside the container; a runtime image needs none.',
  remedy: 'Use a multi-stage build: compile in a builder stage and copy only the artefacts into the runtime stage.',
  cis: '4.3',
  *run(i) {
    for (const e of i.tree.entries()) {
      if ((e.kind === 'file' || e.kind === 'symlink' || e.kind === 'hardlink') && COMPILERS.test(e.path)) yield { detail: e.path, file: e.path };
    }
  },
};
