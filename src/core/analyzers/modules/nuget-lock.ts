// NuGet lock files: `packages.lock.json` (../dotnet.ts).
import { MAX_DOTNET_FILE, parseNuGetLock } from '../dotnet.js';
import { textFileAnalyzer } from '../package-files.js';

export default textFileAnalyzer({
  id: 'nuget-lock',
  names: ['packages.lock.json'],
  type: 'nuget',
  what: 'NuGet lock file',
  maxBytes: MAX_DOTNET_FILE,
  parse: parseNuGetLock,
});
