// ESLint flat config. The layer rule: src/core is the pure engine and imports
// nothing from the edges (src/node, src/cli, web) and no Node I/O module; and
// src/node does not print (stdout, stderr, console): src/cli does.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const coreAllowedNodeModules = ['node:zlib', 'node:crypto', 'node:stream', 'node:buffer', 'node:stream/promises'];
const nodeBuiltins = ['fs', 'fs/promises', 'net', 'http', 'https', 'http2', 'child_process', 'dgram', 'dns', 'os', 'tls',
  'worker_threads', 'cluster', 'readline', 'process', 'path', 'url', 'module', 'vm', 'inspector', 'perf_hooks', 'timers', 'v8'];

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
    files: ['src/core/**/*.ts'],
    ignores: ['src/core/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: nodeBuiltins.map((name) => ({ name, message: 'src/core is pure: no Node I/O modules (see docs/architecture.md).' })),
        patterns: [
          { group: ['node:*', ...coreAllowedNodeModules.map((m) => `!${m}`)], message: 'src/core is pure: only node:zlib, node:crypto, node:stream and node:buffer are allowed.' },
          { group: ['**/node/**', '**/cli/**', '**/web/**', '../node', '../cli'], message: 'src/core must not import the edges (src/node, src/cli, web).' },
        ],
      }],
    },
  },
  {
    // src/node returns data, streams and results, or writes to a writer it is
    // given: printing (stdout, stderr, console) belongs to src/cli.
    files: ['src/node/**/*.ts'],
    ignores: ['src/node/**/*.test.ts', 'src/node/**/*.test-helpers.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-properties': ['error',
        { object: 'process', property: 'stdout', message: 'src/node does not print: return data or take a writer; printing is in src/cli (docs/architecture.md).' },
        { object: 'process', property: 'stderr', message: 'src/node does not print: return data or take a writer; printing is in src/cli (docs/architecture.md).' },
      ],
    },
  },
);
