// Check `image-add-remote-url`: an ADD instruction fetched a remote URL (no checksum, no provenance).
import type { ImageCheck } from './types.js';

export const addRemoteUrlCheck: ImageCheck = {
  id: 'image-add-remote-url',
  severity: 'medium',
  title: 'ADD of a remote URL',
  rationale: 'ADD downloads a URL at build time without verifying what it gets; the content can change between builds or be replaced in transit.',
  remedy: 'Use COPY for local files; download with curl/wget and verify a checksum (or ADD --checksum=sha256:...).',
  cis: '4.9',
  *run(i) {
    for (const h of i.config.history ?? []) {
      const c = h.created_by ?? '';
      const m = /(?:^|\s|\(nop\)\s+)ADD\s+(?!--checksum)(?:--[a-z-]+=\S+\s+)*(https?:\/\/\S+|git@\S+)/.exec(c);
      if (m) yield { detail: m[1]!.slice(0, 200) };
    }
  },
};
