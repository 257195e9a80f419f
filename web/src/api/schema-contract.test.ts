// The console reads every response through the types generated from the
// server's OpenAPI document (schema.d.ts, a build product: `npm run typecheck`
// and `npm run build:web` generate it first): this test runs the generator on
// the current routes and proves that a server change the console depends on
// fails the console's typecheck. It compiles the console (web/tsconfig.json,
// in-process with the TypeScript API) with schema.d.ts given in memory as the
// generated text where the image list's `lastScanAt` is renamed and the alert
// list's `host` removed, and expects exactly those fields named in errors of
// the pages that read them. The same pages compile cleanly against the
// unchanged generated text (and the whole console in `npm run typecheck`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { generateSchemaTs } from '../../../scripts/gen-api-client.js';

const WEB = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCHEMA = join(WEB, 'src', 'api', 'schema.d.ts');

/** The text of one path's block in schema.d.ts, changed by `edit`. */
function editPath(text: string, path: string, edit: (block: string) => string): string {
  const start = text.indexOf(`    "${path}": {\n`);
  assert.ok(start >= 0, `schema.d.ts names ${path}`);
  const end = text.indexOf('\n    "/', start + 1);
  const block = text.slice(start, end);
  const changed = edit(block);
  assert.notEqual(changed, block, `the edit changed ${path}`);
  return text.slice(0, start) + changed + text.slice(end);
}

let previous: ts.Program | undefined;

function diagnostics(schemaText: string): { file: string; text: string }[] {
  const cfg = ts.getParsedCommandLineOfConfigFile(join(WEB, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  assert.ok(cfg, 'web/tsconfig.json parses');
  const host = ts.createCompilerHost(cfg.options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (f) => (resolve(f) === SCHEMA ? schemaText : readFile(f));
  host.fileExists = (f) => resolve(f) === SCHEMA || fileExists(f);
  // The two pages (and what they import) are enough and keep the test short.
  const rootNames = ['Images.tsx', 'Alerts.tsx'].map((f) => join(WEB, 'src', 'pages', f));
  const program = ts.createProgram({ rootNames, options: cfg.options, host, oldProgram: previous });
  previous = program;
  return ts.getPreEmitDiagnostics(program).map((d) => ({
    file: d.file ? d.file.fileName.slice(WEB.length + 1) : '',
    text: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
  }));
}

test('a renamed or removed response field fails the console typecheck where the pages read it', { timeout: 300_000 }, async () => {
  const generated = await generateSchemaTs();
  assert.ok(generated.includes('"/api/v1/projects/{projectId}/images"'), 'generated types name the image routes');
  let text = generated;
  text = editPath(text, '/api/v1/projects/{projectId}/images', (b) => b.replace('lastScanAt: string | null;', 'lastScannedAt: string | null;'));
  text = editPath(text, '/api/v1/alerts', (b) => b.replace(/\n\s+host: string;/, ''));
  const errors = diagnostics(text);
  const about = (field: string) => errors.filter((e) => new RegExp(`["']${field}["']`).test(e.text));
  assert.ok(
    about('lastScanAt').some((e) => e.file === 'src/pages/Images.tsx'),
    `Images.tsx fails on the renamed lastScanAt: ${JSON.stringify(errors.slice(0, 5))}`,
  );
  assert.ok(
    about('host').some((e) => e.file === 'src/pages/Alerts.tsx'),
    `Alerts.tsx fails on the removed host: ${JSON.stringify(errors.slice(0, 5))}`,
  );
  // Nothing else broke: every error is about one of the two fields.
  assert.deepEqual(
    errors.filter((e) => !/lastScanAt|host/.test(e.text)),
    [],
  );
  assert.deepEqual(diagnostics(generated), [], 'the same pages compile with the generated schema');
});
