// .NET: NuGet packages listed in `*.deps.json` (published applications) and
// `packages.lock.json`, matched by package id (case-insensitive) in OSV's
// `NuGet` ecosystem (GHSA), versions ordered as NuGet orders them (four
// numeric parts, case-insensitive pre-release labels).
import { languageEcosystem } from './shared.js';

export const nuget = languageEcosystem({ id: 'nuget', title: 'NuGet', packageType: 'nuget', comparator: 'nuget', osvName: 'NuGet' });
