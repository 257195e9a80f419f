// Go binaries: the modules and the Go version recorded in an ELF executable's
// build info (src/core/analyzers/go-buildinfo.ts), listed as Trivy lists them:
// `stdlib` at the toolchain's version, every dependency module (its
// replacement when replaced) and the main module. Any regular file with an
// execute bit is claimed; the pipeline keeps only its summary
// (../executable.ts), shared with the rust-binary analyzer. Executables that
// are not ELF or carry no Go build info are skipped silently; a Go build info
// that cannot be read is a notice.
import type { Notice, Package } from '../../inventory/types.js';
import { isExecutableCandidate, readExecutable, reduceExecutable } from '../executable.js';
import { goBinaryPackages, parseModinfo } from '../go-buildinfo.js';
import { layerRef } from '../layer-attribution.js';
import type { Analyzer } from '../types.js';

const gobinary: Analyzer = {
  id: 'gobinary',
  version: 1,
  kind: 'package',
  required: isExecutableCandidate,
  reduce: reduceExecutable,
  analyze(input) {
    const packages: Package[] = [];
    const notices: Notice[] = [];
    for (const f of input.files) {
      const go = readExecutable(f.content).go;
      if (!go) continue;
      const fail = (why: string): void => {
        notices.push({ kind: 'package-db-unreadable', message: `Go build info of ${f.path} skipped: ${why}`, path: f.path });
      };
      if ('error' in go) {
        fail(String(go.error));
        continue;
      }
      if (typeof go.goVersion !== 'string' || typeof go.modinfo !== 'string') {
        fail('malformed summary');
        continue;
      }
      const info = parseModinfo(go.goVersion, go.modinfo);
      if (typeof info === 'string') {
        fail(info);
        continue;
      }
      const layer = layerRef(f.entry.layer, input.layers);
      for (const p of goBinaryPackages(info)) packages.push({ type: 'golang', name: p.name, version: p.version, filePath: f.path, layer });
    }
    return { packages, notices };
  },
};

export default gobinary;
