// Go binaries: the modules and the Go version recorded in an ELF executable's
// build info (src/core/analyzers/go-buildinfo.ts), listed as Trivy lists them:
// `stdlib` at the toolchain's version, every dependency module (its
// replacement when replaced) and the main module. Any regular file with an
// execute bit is claimed; the pipeline keeps only its summary
// (../executable.ts), shared with the rust-binary analyzer. Executables that
// are not ELF or carry no Go build info are skipped silently; a Go build info
// that cannot be read is a notice.
import { executableAnalyzer } from '../executable.js';
import { goBinaryPackages, parseModinfo } from '../go-buildinfo.js';

export default executableAnalyzer({
  id: 'gobinary',
  type: 'golang',
  what: 'Go build info of',
  part: 'go',
  read(go) {
    if (typeof go.goVersion !== 'string' || typeof go.modinfo !== 'string') return 'malformed summary';
    const info = parseModinfo(go.goVersion, go.modinfo);
    return typeof info === 'string' ? info : goBinaryPackages(info);
  },
});
