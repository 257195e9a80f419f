// Go source trees: go.mod (and, when it lists no indirect module as before
// Go 1.17, the go.sum beside it), read by ../gomod.ts. A go.mod that cannot be parsed is a notice.
import type { Notice, Package } from '../../inventory/types.js';
import { goModPackages, parseGoMod, parseGoSum, MAX_GOMOD } from '../gomod.js';
import { layerRef } from '../layer-attribution.js';
import type { Analyzer } from '../types.js';

const base = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

const gomod: Analyzer = {
  id: 'gomod',
  version: 1,
  kind: 'package',
  required(path, entry) {
    const b = base(path);
    return entry.kind === 'file' && (b === 'go.mod' || b === 'go.sum') && entry.size <= MAX_GOMOD * 4;
  },
  analyze(input) {
    const packages: Package[] = [];
    const notices: Notice[] = [];
    const sums = new Map(input.files.filter((f) => base(f.path) === 'go.sum').map((f) => [f.path, f]));
    for (const f of input.files) {
      if (base(f.path) !== 'go.mod') continue;
      const skip = (why: string): void => {
        notices.push({ kind: 'package-db-unreadable', message: `go.mod ${f.path} skipped: ${why}`, path: f.path });
      };
      if (f.content.length > MAX_GOMOD) {
        skip(`larger than ${MAX_GOMOD} bytes`);
        continue;
      }
      const mod = parseGoMod(f.content.toString('utf8'));
      if (typeof mod === 'string') {
        skip(mod);
        continue;
      }
      const sumFile = sums.get(f.path.slice(0, -'go.mod'.length) + 'go.sum');
      const sum = sumFile && sumFile.content.length <= MAX_GOMOD ? parseGoSum(sumFile.content.toString('utf8')) : undefined;
      const layer = layerRef(f.entry.layer, input.layers);
      for (const p of goModPackages(mod, sum)) packages.push({ type: 'golang', name: p.name, version: p.version, filePath: f.path, layer });
    }
    return { packages, notices };
  },
};

export default gomod;
