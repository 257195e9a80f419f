// NuGet lock files: `packages.lock.json` (../dotnet.ts).
import type { Notice, Package } from '../../inventory/types.js';
import { MAX_DOTNET_FILE, parseNuGetLock } from '../dotnet.js';
import { layerRef } from '../layer-attribution.js';
import type { Analyzer } from '../types.js';

const nugetLock: Analyzer = {
  id: 'nuget-lock',
  version: 1,
  kind: 'package',
  required: (path, entry) => entry.kind === 'file' && path.endsWith('/packages.lock.json') && entry.size <= MAX_DOTNET_FILE * 4,
  analyze(input) {
    const packages: Package[] = [];
    const notices: Notice[] = [];
    for (const f of input.files) {
      const r = f.content.length > MAX_DOTNET_FILE ? `larger than ${MAX_DOTNET_FILE} bytes` : parseNuGetLock(f.content.toString('utf8'));
      if (typeof r === 'string') {
        notices.push({ kind: 'package-db-unreadable', message: `NuGet lock file ${f.path} skipped: ${r}`, path: f.path });
        continue;
      }
      const layer = layerRef(f.entry.layer, input.layers);
      for (const p of r) packages.push({ type: 'nuget', name: p.name, version: p.version, filePath: f.path, layer });
    }
    return { packages, notices };
  },
};

export default nugetLock;
