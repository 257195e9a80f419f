// ESLint flat config. The layer rules: src/core is the pure engine and imports
// nothing from the edges (src/node, src/cli, web) and no Node I/O module.
// Inside src/node: crypto < store < services < jobs < server (a lower layer
// never imports a higher one), and the route files reach the database only
// through the services (no Kysely, no store module, no query builder call);
// and src/node does not print (stdout, stderr, console): src/cli does.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const coreAllowedNodeModules = ['node:zlib', 'node:crypto', 'node:stream', 'node:buffer', 'node:stream/promises'];
const nodeBuiltins = [
  'fs',
  'fs/promises',
  'net',
  'http',
  'https',
  'http2',
  'child_process',
  'dgram',
  'dns',
  'os',
  'tls',
  'worker_threads',
  'cluster',
  'readline',
  'process',
  'path',
  'url',
  'module',
  'vm',
  'inspector',
  'perf_hooks',
  'timers',
  'v8',
];

const NODE_LAYERS = ['crypto', 'store', 'services', 'jobs', 'server'];
const QUERY_BUILDER_CALLS = [
  'selectFrom',
  'insertInto',
  'updateTable',
  'deleteFrom',
  'replaceInto',
  'mergeInto',
  'transaction',
  'selectNoFrom',
  'executeQuery',
];

/** The rule that keeps `who` (routes, jobs) off the query builder: they go through src/node/services. */
const noQueryBuilder = (who) => [
  'error',
  {
    selector: `CallExpression[callee.property.name=/^(${QUERY_BUILDER_CALLS.join('|')})$/]`,
    message: `${who} do not call the query builder: put the query or change in a service (src/node/services).`,
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'web/dist/**', 'coverage/**', 'bench/out/**', '**/testdata/**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
      'no-control-regex': 'off',
    },
  },
  {
    // The console runs in the browser.
    files: ['web/src/**/*.{ts,tsx}'],
    ignores: ['web/src/**/*.test.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['src/core/**/*.ts'],
    // Tests may use node:test, node:assert and fixtures on disk.
    ignores: ['src/core/**/*.test.ts', 'src/core/**/*.test-helpers.ts'],
    rules: { 'no-restricted-imports': ['error', corePurity(coreAllowedNodeModules)] },
  },
  {
    // Test helpers beside the core code (imported by tests only) are pure too: they may define tests and
    // assert, but file fixtures are read by test/helpers/.
    files: ['src/core/**/*.test-helpers.ts'],
    rules: { 'no-restricted-imports': ['error', corePurity([...coreAllowedNodeModules, 'node:test', 'node:assert', 'node:assert/strict'])] },
  },
  // src/node layers, lowest first: each may import only layers below it.
  ...nodeLayerRules(),
  {
    files: ['src/node/server/routes/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'kysely', message: 'routes reach the database through src/node/services (docs/architecture.md).' }],
          patterns: [{ group: ['**/store/*'], message: 'routes reach the store through src/node/services (docs/architecture.md).' }],
        },
      ],
      'no-restricted-syntax': noQueryBuilder('routes'),
    },
  },
  {
    // The jobs run work (scans, schedules, re-matching) and reach the database through the services too.
    files: ['src/node/jobs/**/*.ts'],
    ignores: ['**/*.test.ts', '**/*.test-helpers.ts'],
    rules: {
      'no-restricted-syntax': noQueryBuilder('jobs'),
    },
  },
  {
    // src/node returns data, streams and results, or writes to a writer it is
    // given: printing (stdout, stderr, console) belongs to src/cli.
    files: ['src/node/**/*.ts'],
    ignores: ['src/node/**/*.test.ts', 'src/node/**/*.test-helpers.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'stdout',
          message: 'src/node does not print: return data or take a writer; printing is in src/cli (docs/architecture.md).',
        },
        {
          object: 'process',
          property: 'stderr',
          message: 'src/node does not print: return data or take a writer; printing is in src/cli (docs/architecture.md).',
        },
      ],
    },
  },
);

/** The src/core purity rule: no Node I/O module (only `allowed` node: modules) and no import of the edges. */
function corePurity(allowed) {
  return {
    paths: nodeBuiltins.map((name) => ({ name, message: 'src/core is pure: no Node I/O modules (see docs/architecture.md).' })),
    patterns: [
      {
        group: ['node:*', ...allowed.map((m) => `!${m}`)],
        message: `src/core is pure: only ${allowed.join(', ')} are allowed.`,
      },
      { group: ['**/node/**', '**/cli/**', '**/web/**', '../node', '../cli'], message: 'src/core must not import the edges (src/node, src/cli, web).' },
    ],
  };
}

function nodeLayerRules() {
  return NODE_LAYERS.map((layer, i) => {
    const higher = NODE_LAYERS.slice(i + 1);
    return {
      files: [`src/node/${layer}/**/*.ts`],
      ignores: ['**/*.test.ts', '**/*.test-helpers.ts'],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: higher.map((h) => ({
              group: [`**/${h}/*`, `**/${h}/**`],
              message: `src/node/${layer} must not import src/node/${h} (layers: ${NODE_LAYERS.join(' < ')}; docs/architecture.md).`,
            })),
          },
        ],
      },
    };
  }).filter((c) => c.rules['no-restricted-imports'][1].patterns.length > 0);
}
