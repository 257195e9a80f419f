// .NET applications: `*.deps.json` beside published assemblies (../dotnet.ts).
import { MAX_DOTNET_FILE, parseDepsJson } from '../dotnet.js';
import { claimFiles, packageFileAnalyzer } from '../package-files.js';

export default packageFileAnalyzer({
  id: 'dotnet-deps',
  claims: { suffixes: ['.deps.json'] },
  required: claimFiles((path) => path.endsWith('.deps.json'), MAX_DOTNET_FILE),
  type: 'nuget',
  what: '.NET deps file',
  maxBytes: MAX_DOTNET_FILE,
  read: (f) => parseDepsJson(f.content.toString('utf8')),
});
