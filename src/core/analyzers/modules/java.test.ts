import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { runAnalyzer } from '../test-harness.js';
import { makeZip } from '../zip.test-helpers.js';
import java, { MAX_NESTING, javaPackages, manifestCoordinates, manifestLicenseNames, parseArchiveName, parseManifest, pomLicenseNames } from './java.js';

const TRIVY = new URL('../testdata/trivy/java/', import.meta.url);
const expected = JSON.parse(readFileSync(new URL('expected.json', TRIVY), 'utf8')) as Record<string, string[] | string>;
const rows = (buf: Buffer, path: string): string[] =>
  javaPackages(buf, path)
    .packages.map((p) => `${p.name}@${p.version} ${p.filePath}${p.licenses ? ` ${JSON.stringify(p.licenses).replace(/","/g, '", "')}` : ''}`)
    .sort();

test("java: Trivy's jar/war golden files give exactly Trivy's (offline) packages", () => {
  const files = Object.keys(expected).filter((k) => k !== 'source');
  assert.equal(files.length, 9);
  for (const f of files) {
    const r = javaPackages(readFileSync(new URL(f, TRIVY)), f);
    assert.deepEqual(r.notices, [], f);
    assert.deepEqual(rows(readFileSync(new URL(f, TRIVY)), f), [...(expected[f] as string[])].sort(), f);
  }
});

test('java: file names, manifests', () => {
  assert.deepEqual(parseArchiveName('/usr/share/java/commons-lang3-3.12.0.jar'), { artifactId: 'commons-lang3', version: '3.12.0' });
  assert.deepEqual(parseArchiveName('/x/spring-core-5.3.4-SNAPSHOT.jar'), { artifactId: 'spring-core', version: '5.3.4-SNAPSHOT' });
  assert.equal(parseArchiveName('/x/app.jar'), undefined);
  const m = parseManifest(
    'Manifest-Version: 1.0\r\nBundle-SymbolicName: com.fasterxml.jackson.core.jackson-databind;singleton:=true\r\nBundle-Name: Jackson-databind\r\nBundle-Version: 2.1\r\n 3.4\r\n\r\nName: x\r\nImplementation-Title: no\r\n',
  );
  assert.equal(m.get('Bundle-Version'), '2.13.4');
  assert.equal(m.get('Implementation-Title'), undefined, 'only the main section');
  assert.deepEqual(manifestCoordinates(m), { name: 'com.fasterxml.jackson.core:Jackson-databind', version: '2.13.4' });
  assert.equal(manifestCoordinates(parseManifest('Manifest-Version: 1.0\n')), undefined);
  assert.deepEqual(
    manifestLicenseNames(parseManifest('Bundle-License: https://www.apache.org/licenses/LICENSE-2.0.txt;description=x, https://example.org/other\n')),
    ['Apache-2.0', 'https://example.org/other'],
  );
  assert.deepEqual(
    pomLicenseNames('<project><licenses><license><name>A &amp; B</name><url>u</url></license><license><name>C</name></license></licenses></project>'),
    ['A & B', 'C'],
  );
  assert.deepEqual(pomLicenseNames('<project><name>not a licence</name></project>'), []);
});

const pom = (g: string, a: string, v: string) => ({
  name: `META-INF/maven/${g}/${a}/pom.properties`,
  data: `#Generated\ngroupId=${g}\nartifactId=${a}\nversion=${v}\n`,
});

test('java: nesting is bounded, bombs and broken archives are notices, never a crash', () => {
  // MAX_NESTING + 2 levels of jars in jars: the deepest ones are not opened.
  let inner = makeZip([pom('deep', 'level', String(MAX_NESTING + 1))]);
  for (let level = MAX_NESTING; level >= 1; level--) inner = makeZip([pom('deep', 'level', String(level)), { name: `lib/level${level + 1}.jar`, data: inner }]);
  const outer = makeZip([pom('deep', 'level', '0'), { name: 'lib/level1.jar', data: inner }]);
  const r = javaPackages(outer, '/app/deep.jar');
  assert.deepEqual(
    r.packages.map((p) => p.version),
    ['4', '3', '2', '1', '0'],
  );
  assert.equal(r.notices.length, 1);
  assert.match(r.notices[0]!.message, /nested deeper than 4 archives/);

  // A bomb: 200 MiB of zeros in a nested jar that claims 1 KiB, and a MANIFEST.MF bomb.
  const bomb = makeZip([
    { name: 'WEB-INF/lib/bomb.jar', data: Buffer.alloc(200 * 1024 * 1024), claimedSize: 1024 },
    { name: 'META-INF/MANIFEST.MF', data: Buffer.alloc(50 * 1024 * 1024, 0x41), claimedSize: 10 },
    pom('ok', 'ok', '1'),
  ]);
  const t = Date.now();
  const b = javaPackages(bomb, '/app/bomb.war');
  assert.ok(Date.now() - t < 30_000, 'bounded work, even on a loaded machine');
  assert.deepEqual(
    b.packages.map((p) => p.name),
    ['ok:ok'],
  );
  assert.deepEqual(
    b.notices.map((n) => n.message),
    [
      'Java archive /app/bomb.war/WEB-INF/lib/bomb.jar skipped: WEB-INF/lib/bomb.jar: inflates past the 67108864-byte limit',
      'Java archive /app/bomb.war: META-INF/MANIFEST.MF: inflates past the 1048576-byte limit',
    ],
  );

  // Truncated, garbage, and a nested garbage jar.
  const good = readFileSync(new URL('nested.jar', TRIVY));
  for (const [name, buf, why] of [
    ['/t.jar', good.subarray(0, good.length - 30), /no end of central directory|central directory/],
    ['/g.jar', Buffer.from('PK\u0003\u0004 not really'), /no end of central directory|too short/],
    ['/e.jar', Buffer.alloc(0), /too short/],
  ] as const) {
    const x = javaPackages(buf, name);
    assert.deepEqual(x.packages, [], name);
    assert.match(x.notices[0]!.message, why, name);
  }
  const nestedGarbage = javaPackages(makeZip([{ name: 'lib/x.jar', data: 'garbage', stored: true }, pom('a', 'b', '1')]), '/n.jar');
  assert.deepEqual(
    nestedGarbage.packages.map((p) => p.name),
    ['a:b'],
  );
  assert.match(nestedGarbage.notices[0]!.message, /^Java archive \/n\.jar\/lib\/x\.jar skipped: /);
});

test('java: analyzer claims archives, reports maven packages with the layer of the file', async () => {
  assert.ok(java.required('/app/lib/a-1.0.jar', { path: '/app/lib/a-1.0.jar', kind: 'file', mode: 0o644, size: 10, uid: 0, gid: 0, layer: 0 }));
  assert.ok(
    !java.required('/app/lib/a-1.0.jar', { path: '/app/lib/a-1.0.jar', kind: 'symlink', mode: 0o777, size: 10, uid: 0, gid: 0, layer: 0, linkTarget: 'b.jar' }),
  );
  assert.ok(!java.required('/app/lib/a.zip', { path: '/app/lib/a.zip', kind: 'file', mode: 0o644, size: 10, uid: 0, gid: 0, layer: 0 }));
  const r = await runAnalyzer(java, [{ '/srv/app.war': readFileSync(new URL('gradle.war', TRIVY)) }]);
  assert.equal(r.packages!.length, 4);
  assert.ok(r.packages!.every((p) => p.type === 'maven' && p.filePath!.startsWith('/srv/app.war/WEB-INF/lib/') && p.layer?.index === 0));
});
