// The src/node layer rules of eslint.config.js (crypto < store < services <
// jobs < server; routes reach the database only through the services) are
// enforced: code that breaks them is reported (`npm run lint` checks the tree).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const eslint = new ESLint({ cwd: root });

async function problems(file: string, code: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath: `${root}${file}` });
  return r!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

test('a lower src/node layer importing a higher one is a lint error', async () => {
  // [layer, the higher layer it imports, the importing module's text]
  const cases: [string, string, string][] = [
    ['store', 'services', "import { mutate } from '../services/mutate.js';\nexport const x = mutate;\n"],
    ['services', 'jobs', "import { SCAN_QUEUE } from '../jobs/scan-service.js';\nexport const x = SCAN_QUEUE;\n"],
    ['jobs', 'server', "import { bootstrap } from '../server/bootstrap.js';\nexport const x = bootstrap;\n"],
    ['crypto', 'store', "import type { Store } from '../store/store.js';\nexport type X = Store;\n"],
  ];
  for (const [layer, higher, code] of cases) {
    const file = `src/node/${layer}/probe.ts`;
    const p = await problems(file, code);
    assert.ok(
      p.some((m) => m.includes(`src/node/${layer} must not import src/node/${higher}`)),
      `${file}: ${p.join('; ') || 'no problem reported'}`,
    );
  }
  // Downward imports are fine.
  assert.deepEqual(
    await problems(
      'src/node/jobs/probe.ts',
      "import { toApi } from '../services/common.js';\nimport { newId } from '../store/ids.js';\nexport const x = [toApi, newId];\n",
    ),
    [],
  );
});

test('a route file that uses the query builder, kysely or the store is a lint error', async () => {
  const code = [
    "import { sql } from 'kysely';",
    "import { newId } from '../../store/ids.js';",
    "import type { ServerContext } from '../context.js';",
    'export async function f(ctx: ServerContext) {',
    "  await ctx.store.db.selectFrom('users').selectAll().execute();",
    "  await ctx.store.db.transaction().execute(async (trx) => trx.deleteFrom('users').execute());",
    '  return [sql`1`, newId()];',
    '}',
    '',
  ].join('\n');
  const p = await problems('src/node/server/routes/probe.ts', code);
  assert.equal(p.filter((m) => m.startsWith('no-restricted-syntax')).length, 3, p.join('\n'));
  assert.ok(
    p.some((m) => /'kysely' import is restricted/.test(m)),
    p.join('\n'),
  );
  assert.ok(
    p.some((m) => /store\/ids\.js' import is restricted/.test(m)),
    p.join('\n'),
  );
});
