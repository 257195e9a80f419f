// The squashed file view of an image: layers applied bottom to top, whiteouts
// deleting what lower layers put there. Symlink resolution is bounded
// (ReadLimits.maxSymlinkDepth) and clamped to the image root, so loops end and
// no link points outside the image.
import type { FileTree } from '../analyzers/types.js';
import { normalizePath } from './path.js';
import type { FileEntry } from '../inventory/types.js';

interface Node {
  entry: FileEntry;
  children?: Map<string, Node>;
}

function byPath(a: FileEntry, b: FileEntry): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

function splitPath(path: string): string[] {
  return path === '/' ? [] : path.slice(1).split('/');
}

export class SquashedTree implements FileTree {
  private readonly root: Node;
  private count = 0;
  /** The directory the last add() went into: walks and tar layers list a directory's entries one after another. */
  private lastDir: string | undefined;
  private lastDirNode: Node | undefined;

  constructor(private readonly maxSymlinkDepth = 40) {
    this.root = { entry: { path: '/', kind: 'dir', mode: 0o755, size: 0, uid: 0, gid: 0, layer: 0 }, children: new Map() };
  }

  /** Number of entries (the root excluded). */
  get size(): number {
    return this.count;
  }

  private node(path: string): Node | undefined {
    let n: Node | undefined = this.root;
    for (const seg of splitPath(path)) {
      n = n.children?.get(seg);
      if (!n) return undefined;
    }
    return n;
  }

  private countNodes(n: Node): number {
    let c = 1;
    if (n.children) for (const ch of n.children.values()) c += this.countNodes(ch);
    return c;
  }

  /**
   * Add or replace an entry (paths are normalised absolute paths). Missing
   * parents are created as directories owned by the entry's layer; a non-dir
   * parent is replaced by a directory (what extracting the tar would do).
   * Returns true when the new entry replaced a directory that had children
   * (those are gone now).
   */
  add(entry: FileEntry): boolean {
    const path = entry.path;
    if (path === '/') {
      // The root itself: keep its metadata, never replace the node.
      this.root.entry = { ...entry, path: '/', kind: 'dir' };
      return false;
    }
    const slash = path.lastIndexOf('/');
    const dir = slash === 0 ? '/' : path.slice(0, slash);
    let n: Node;
    if (dir === this.lastDir) n = this.lastDirNode!;
    else {
      n = this.makeDir(dir, entry.layer);
      this.lastDir = dir;
      this.lastDirNode = n;
    }
    const name = path.slice(slash + 1);
    const old = n.children!.get(name);
    if (entry.kind === 'hardlink' && entry.linkTarget) {
      const target = this.node(entry.linkTarget);
      if (target && target.entry.kind === 'file') entry.size = target.entry.size;
    }
    if (!old) {
      n.children!.set(name, entry.kind === 'dir' ? { entry, children: new Map() } : { entry });
      this.count++;
      return false;
    }
    if (entry.kind === 'dir' && old.children) {
      old.entry = entry;
      return false;
    }
    const hadChildren = !!old.children && old.children.size > 0;
    // A directory replaced: the remembered directory may have been below it.
    if (old.children) this.forgetLastDir();
    if (old.children) this.count -= this.countNodes(old) - 1;
    n.children!.set(name, entry.kind === 'dir' ? { entry, children: new Map() } : { entry });
    return hadChildren;
  }

  /** The directory node of a normalised path, created (and a non-directory replaced) as extracting would. */
  private makeDir(dir: string, layer: number): Node {
    let n = this.root;
    let p = '';
    for (const seg of splitPath(dir)) {
      p += '/' + seg;
      let ch = n.children!.get(seg);
      if (!ch) {
        ch = { entry: { path: p, kind: 'dir', mode: 0o755, size: 0, uid: 0, gid: 0, layer }, children: new Map() };
        n.children!.set(seg, ch);
        this.count++;
      } else if (!ch.children) {
        ch.entry = { path: p, kind: 'dir', mode: 0o755, size: 0, uid: 0, gid: 0, layer };
        ch.children = new Map();
      }
      n = ch;
    }
    return n;
  }

  private forgetLastDir(): void {
    this.lastDir = undefined;
    this.lastDirNode = undefined;
  }

  /** Delete a path and everything below it; true when something was deleted. */
  remove(path: string): boolean {
    this.forgetLastDir();
    const segs = splitPath(path);
    if (segs.length === 0) return this.clear('/');
    const parent = this.node('/' + segs.slice(0, -1).join('/'));
    const name = segs[segs.length - 1]!;
    const n = parent?.children?.get(name);
    if (!n || !parent) return false;
    this.count -= this.countNodes(n);
    parent.children!.delete(name);
    return true;
  }

  /** Delete everything below a directory (opaque whiteout); the directory stays. */
  clear(dir: string): boolean {
    this.forgetLastDir();
    const n = this.node(dir);
    if (!n?.children || n.children.size === 0) return false;
    this.count -= this.countNodes(n) - 1;
    n.children.clear();
    return true;
  }

  get(path: string): FileEntry | undefined {
    return this.node(normalizePath(path))?.entry;
  }

  list(dir: string): FileEntry[] {
    const n = this.node(normalizePath(dir));
    if (!n?.children) return [];
    return [...n.children.values()].map((c) => c.entry).sort(byPath);
  }

  resolve(path: string): FileEntry | undefined {
    return this.resolveNode(path)?.entry;
  }

  /** The path a path resolves to after following every symlink, or undefined (missing, loop, too deep). */
  resolvePath(path: string): string | undefined {
    return this.resolveNode(path)?.entry.path;
  }

  private resolveNode(path: string): Node | undefined {
    // A stack of nodes from the root gives `..` its meaning after symlinks
    // were followed; popping at the root stays at the root (clamping).
    const stack: Node[] = [this.root];
    const todo = splitPath(normalizePath(path)).reverse();
    let followed = 0;
    while (todo.length > 0) {
      const seg = todo.pop()!;
      if (seg === '' || seg === '.') continue;
      if (seg === '..') {
        if (stack.length > 1) stack.pop();
        continue;
      }
      const cur = stack[stack.length - 1]!;
      const ch = cur.children?.get(seg);
      if (!ch) return undefined;
      if (ch.entry.kind === 'symlink' && ch.entry.linkTarget !== undefined) {
        if (++followed > this.maxSymlinkDepth) return undefined;
        const target = ch.entry.linkTarget;
        if (target.startsWith('/')) stack.length = 1;
        const parts = target.split('/');
        for (let i = parts.length - 1; i >= 0; i--) todo.push(parts[i]!);
        continue;
      }
      stack.push(ch);
    }
    return stack[stack.length - 1];
  }

  *entries(): Iterable<FileEntry> {
    const out: FileEntry[] = [];
    const walk = (n: Node): void => {
      if (!n.children) return;
      for (const ch of n.children.values()) {
        out.push(ch.entry);
        walk(ch);
      }
    };
    walk(this.root);
    out.sort(byPath);
    yield* out;
  }
}
