// .NET: NuGet packages listed in `*.deps.json` (published applications) and
// `packages.lock.json`, matched by package id (case-insensitive) in OSV's
// `NuGet` ecosystem (GHSA), versions ordered as NuGet orders them (four
// numeric parts, case-insensitive pre-release labels).
import type { Ecosystem } from './types.js';

export const nuget: Ecosystem = {
  id: 'nuget',
  version: 1,
  kind: 'language',
  title: 'NuGet',
  packageType: 'nuget',
  comparator: 'nuget',
  osvName: 'NuGet',
  vendor: 'ghsa',
  feeds: ['osv'],
  matchKeys: () => ['nuget'],
  lookup: (pkg) => ({ names: [pkg.name.toLowerCase()], version: pkg.version }),
  purl: () => ({ type: 'nuget' }),
};
