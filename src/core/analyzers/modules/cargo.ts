// Rust source trees: Cargo.lock (../cargo-lock.ts), every package it locks,
// as Trivy's cargo parser lists them. A lockfile that cannot be read is a notice.
import type { Notice, Package } from '../../inventory/types.js';
import { MAX_CARGO_LOCK, parseCargoLock } from '../cargo-lock.js';
import { layerRef } from '../layer-attribution.js';
import type { Analyzer } from '../types.js';

const cargo: Analyzer = {
  id: 'cargo',
  version: 1,
  kind: 'package',
  required: (path, entry) => entry.kind === 'file' && path.endsWith('/Cargo.lock') && entry.size <= MAX_CARGO_LOCK * 4,
  analyze(input) {
    const packages: Package[] = [];
    const notices: Notice[] = [];
    for (const f of input.files) {
      const parsed = f.content.length > MAX_CARGO_LOCK ? `larger than ${MAX_CARGO_LOCK} bytes` : parseCargoLock(f.content.toString('utf8'));
      if (typeof parsed === 'string') {
        notices.push({ kind: 'package-db-unreadable', message: `Cargo.lock ${f.path} skipped: ${parsed}`, path: f.path });
        continue;
      }
      const layer = layerRef(f.entry.layer, input.layers);
      const seen = new Set<string>();
      for (const p of parsed) {
        const k = `${p.name}@${p.version}`;
        if (seen.has(k)) continue;
        seen.add(k);
        packages.push({ type: 'cargo', name: p.name, version: p.version, filePath: f.path, layer });
      }
    }
    return { packages, notices };
  },
};

export default cargo;
