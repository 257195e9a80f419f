// NuGet lock files: `packages.lock.json` (../dotnet.ts).
import { MAX_DOTNET_FILE, parseNuGetLock } from '../dotnet.js';
import { claimFiles, packageFileAnalyzer } from '../package-files.js';

export default packageFileAnalyzer({
  id: 'nuget-lock',
  claims: { names: ['packages.lock.json'] },
  required: claimFiles((path) => path.endsWith('/packages.lock.json'), MAX_DOTNET_FILE),
  type: 'nuget',
  what: 'NuGet lock file',
  maxBytes: MAX_DOTNET_FILE,
  read: (f) => parseNuGetLock(f.content.toString('utf8')),
});
