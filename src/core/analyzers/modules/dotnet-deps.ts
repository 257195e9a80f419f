// .NET applications: `*.deps.json` beside published assemblies (../dotnet.ts).
import { MAX_DOTNET_FILE, parseDepsJson } from '../dotnet.js';
import { textFileAnalyzer } from '../package-files.js';

export default textFileAnalyzer({
  id: 'dotnet-deps',
  suffixes: ['.deps.json'],
  type: 'nuget',
  what: '.NET deps file',
  maxBytes: MAX_DOTNET_FILE,
  parse: parseDepsJson,
});
