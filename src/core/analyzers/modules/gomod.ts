// Go source trees: go.mod (and, when it lists no indirect module as before
// Go 1.17, the go.sum beside it), read by ../gomod.ts. A go.mod that cannot be parsed is a notice.
import { goModPackages, parseGoMod, parseGoSum, MAX_GOMOD } from '../gomod.js';
import { claimFiles, packageFileAnalyzer } from '../package-files.js';
import type { AnalyzerFile } from '../types.js';

const base = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

/** The go.sum files of one analyzer input by path, built once per input. */
const sumsByInput = new WeakMap<AnalyzerFile[], Map<string, AnalyzerFile>>();
function goSums(files: AnalyzerFile[]): Map<string, AnalyzerFile> {
  let sums = sumsByInput.get(files);
  if (!sums) {
    sums = new Map(files.filter((f) => base(f.path) === 'go.sum').map((f) => [f.path, f]));
    sumsByInput.set(files, sums);
  }
  return sums;
}

export default packageFileAnalyzer({
  id: 'gomod',
  claims: { names: ['go.mod', 'go.sum'] },
  required: claimFiles((path) => base(path) === 'go.mod' || base(path) === 'go.sum', MAX_GOMOD),
  type: 'golang',
  what: 'go.mod',
  read(f, input) {
    if (base(f.path) !== 'go.mod') return undefined;
    if (f.content.length > MAX_GOMOD) return `larger than ${MAX_GOMOD} bytes`;
    const mod = parseGoMod(f.content.toString('utf8'));
    if (typeof mod === 'string') return mod;
    const sumPath = f.path.slice(0, -'go.mod'.length) + 'go.sum';
    const sumFile = goSums(input.files).get(sumPath);
    const sum = sumFile && sumFile.content.length <= MAX_GOMOD ? parseGoSum(sumFile.content.toString('utf8')) : undefined;
    return goModPackages(mod, sum);
  },
});
