// Path normalisation for names read from layers and archives. A tar entry
// name is untrusted: `..` segments and absolute names are clamped to the image
// root so that no path can ever point outside the image.

/**
 * Normalise a tar entry name or a path inside the image: always absolute,
 * no `.`/`..`/empty segments, no trailing slash. `..` at the root stays at the root.
 */
export function normalizePath(name: string): string {
  // Fast path: most tar names are already clean relative names like `usr/bin/env`.
  if (name.length > 0 && !name.includes('//') && !/(^|\/)\.\.?(\/|$)/.test(name)) {
    let s = name;
    if (s.endsWith('/')) s = s.slice(0, -1);
    if (s.length === 0) return '/';
    return s.charCodeAt(0) === 47 ? s : '/' + s;
  }
  const out: string[] = [];
  for (const seg of name.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return '/' + out.join('/');
}

/** Parent directory of a normalised path (`/` for `/` and top-level entries). */
export function parentPath(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** Last segment of a normalised path (`` for `/`). */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Resolve a symlink target relative to the link's directory, clamped to the root. */
export function joinLinkTarget(linkPath: string, target: string): string {
  if (target.startsWith('/')) return normalizePath(target);
  return normalizePath(parentPath(linkPath) + '/' + target);
}
