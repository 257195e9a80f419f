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
  const cases: [string, string, RegExp][] = [
    [
      'src/node/store/probe.ts',
      "import { mutate } from '../services/mutate.js';\nexport const x = mutate;\n",
      /src\/node\/store must not import src\/node\/services/,
    ],
    [
      'src/node/services/probe.ts',
      "import { SCAN_QUEUE } from '../jobs/scan-service.js';\nexport const x = SCAN_QUEUE;\n",
      /src\/node\/services must not import src\/node\/jobs/,
    ],
    [
      'src/node/jobs/probe.ts',
      "import { bootstrap } from '../server/bootstrap.js';\nexport const x = bootstrap;\n",
      /src\/node\/jobs must not import src\/node\/server/,
    ],
    [
      'src/node/crypto/probe.ts',
      "import type { Store } from '../store/store.js';\nexport type X = Store;\n",
      /src\/node\/crypto must not import src\/node\/store/,
    ],
  ];
  for (const [file, code, want] of cases) {
    const p = await problems(file, code);
    assert.ok(
      p.some((m) => want.test(m)),
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
