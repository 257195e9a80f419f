import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDepsJson, parseNuGetLock } from '../dotnet.js';
import { analyzerFile, fileEntry, assertPackages, runAnalyzer } from '../analyzer.test-helpers.js';
import { trivyFixture } from '../../../../test/helpers/trivy-fixture.js';
import dotnetDeps from './dotnet-deps.js';
import nugetLock from './nuget-lock.js';

// Trivy's pkg/dependency/parser/dotnet/core_deps/parse_test.go.
const DEPS: Record<string, string[]> = {
  happy: ['ExampleApp1@1.0.0', 'Newtonsoft.Json@13.0.1'],
  'without-runtime': ['hello2@1.0.0', 'JsonDiffPatch@2.0.61', 'Libuv@1.9.1', 'System.Collections.Immutable@1.3.0'],
  'no-libraries': [],
  'missing-target': ['ExampleApp1@1.0.0', 'Newtonsoft.Json@13.0.1'],
  'self-contained': [
    'ExampleApp1@1.0.0',
    'Microsoft.AspNetCore.App.Runtime.linux-x64@8.0.0',
    'Microsoft.NETCore.App.Runtime.linux-x64@8.0.0',
    'Newtonsoft.Json@13.0.1',
  ],
  'multi-project': ['Web@1.0.0', 'Api@1.0.0', 'Data@1.0.0', 'Newtonsoft.Json@13.0.3'],
  'ambiguous-root': ['Newtonsoft.Json@13.0.3', 'Web@1.0.0', 'Worker@1.0.0'],
};

for (const [name, want] of Object.entries(DEPS)) {
  test(`dotnet-deps: Trivy's ${name}.deps.json lists what Trivy's test expects`, async () => {
    const path = `/app/${name}.deps.json`;
    const r = await runAnalyzer(dotnetDeps, [analyzerFile(path, trivyFixture(`dotnet-deps/${name}.deps.json`))]);
    assertPackages(r, want, { type: 'nuget', filePath: path });
  });
}

test("dotnet-deps: Trivy's invalid.deps.json and other broken input give a notice", async () => {
  const r = await runAnalyzer(dotnetDeps, [analyzerFile('/app/invalid.deps.json', trivyFixture('dotnet-deps/invalid.deps.json'))]);
  assert.deepEqual(r.packages, []);
  assert.match(r.notices![0]!.message, /^\.NET deps file \/app\/invalid\.deps\.json skipped: not JSON/);
  assert.equal(parseDepsJson('[]'), 'not a JSON object');
  assert.equal(parseDepsJson('{"libraries": []}'), '"libraries" is not an object');
  assert.ok(dotnetDeps.required('/app/x.deps.json', fileEntry('/app/x.deps.json', 10)));
  assert.ok(!dotnetDeps.required('/app/x.runtimeconfig.json', fileEntry('/app/x.runtimeconfig.json', 10)));
});

// Trivy's pkg/dependency/parser/nuget/lock/parse_testcase.go.
const LOCKS: Record<string, string[]> = {
  packages_lock_simple: ['Newtonsoft.Json@12.0.3', 'NuGet.Frameworks@5.7.0'],
  packages_lock_subdependencies: [
    'Microsoft.Extensions.ApiDescription.Server@3.0.0',
    'Microsoft.OpenApi@1.1.4',
    'Newtonsoft.Json@12.0.3',
    'NuGet.Frameworks@5.7.0',
    'Swashbuckle.AspNetCore@5.5.1',
    'Swashbuckle.AspNetCore.Swagger@5.5.1',
    'Swashbuckle.AspNetCore.SwaggerGen@5.5.1',
    'Swashbuckle.AspNetCore.SwaggerUI@5.5.1',
  ],
  packages_lock_legacy: ['AWSSDK.Core@3.5.1.30', 'Newtonsoft.Json@12.0.3'],
  packages_lock_multi:
    'AWSSDK.Core@3.5.1.30 Microsoft.Bcl.AsyncInterfaces@1.1.0 Microsoft.CSharp@4.3.0 Microsoft.NETCore.Platforms@1.1.0 Microsoft.NETCore.Targets@1.1.0 Microsoft.NETFramework.ReferenceAssemblies@1.0.0 Microsoft.NETFramework.ReferenceAssemblies.net20@1.0.0 Microsoft.NETFramework.ReferenceAssemblies.net40@1.0.0 NETStandard.Library@1.6.1 NETStandard.Library@2.0.3 Newtonsoft.Json@12.0.3 System.Collections@4.3.0 System.ComponentModel@4.3.0 System.ComponentModel.Primitives@4.3.0 System.ComponentModel.TypeConverter@4.3.0 System.Diagnostics.Debug@4.3.0 System.Diagnostics.Tools@4.3.0 System.Dynamic.Runtime@4.3.0 System.Globalization@4.3.0 System.IO@4.3.0 System.Linq@4.3.0 System.Linq.Expressions@4.3.0 System.Net.Primitives@4.3.0 System.ObjectModel@4.3.0 System.Reflection@4.3.0 System.Reflection.Extensions@4.3.0 System.Reflection.Primitives@4.3.0 System.Resources.ResourceManager@4.3.0 System.Runtime@4.3.0 System.Runtime.CompilerServices.Unsafe@4.5.2 System.Runtime.Extensions@4.3.0 System.Runtime.Serialization.Primitives@4.3.0 System.Text.Encoding@4.3.0 System.Text.Encoding.Extensions@4.3.0 System.Text.RegularExpressions@4.3.0 System.Threading@4.3.0 System.Threading.Tasks@4.3.0 System.Threading.Tasks.Extensions@4.5.2 System.Xml.ReaderWriter@4.3.0 System.Xml.XDocument@4.3.0'.split(
      ' ',
    ),
};

for (const [name, want] of Object.entries(LOCKS)) {
  test(`nuget-lock: Trivy's ${name}.json lists what Trivy's test expects`, async () => {
    const r = await runAnalyzer(nugetLock, [analyzerFile('/src/app/packages.lock.json', trivyFixture(`nuget-lock/${name}.json`))]);
    assertPackages(r, want);
  });
}

test('nuget-lock: broken lock files give a notice', async () => {
  const r = await runAnalyzer(nugetLock, [analyzerFile('/a/packages.lock.json', '{"version": 1, "dependencies": {"net6.0": {"X": 5}}}')]);
  assert.deepEqual(r.packages, []);
  assert.equal(r.notices![0]!.message, 'NuGet lock file /a/packages.lock.json skipped: package X is not an object');
  assert.equal(parseNuGetLock('{"version": 1}'), 'no "dependencies" object');
  assert.match(String(parseNuGetLock('{')), /^not JSON/);
});
