// Check `file-world-writable`: a file or directory anyone can write in a system path.
import type { ImageCheck } from './types.js';

/** System paths where nothing should be writable by everyone (sticky directories such as /tmp are allowed). */
export const SYSTEM_PATHS = /^\/(bin|sbin|usr|lib|lib32|lib64|libx32|etc|boot|opt|root|var\/lib|var\/spool\/cron)(\/|$)/;

export const worldWritableCheck: ImageCheck = {
  id: 'file-world-writable',
  severity: 'medium',
  title: 'World-writable file in a system path',
  rationale: 'Any user (or any process of any uid) can replace a world-writable binary, library or configuration file and so run code as whoever uses it next.',
  remedy: 'Remove the write bit for others (`chmod o-w PATH`); use the sticky bit for shared directories.',
  *run(i) {
    for (const e of i.tree.entries()) {
      if (e.kind !== 'file' && e.kind !== 'dir') continue;
      if ((e.mode & 0o002) === 0 || !SYSTEM_PATHS.test(e.path)) continue;
      if (e.kind === 'dir' && (e.mode & 0o1000) !== 0) continue;
      yield { detail: `${e.path} (${e.kind === 'dir' ? 'directory' : 'file'}, mode ${(e.mode & 0o7777).toString(8).padStart(4, '0')})`, file: e.path };
    }
  },
};
