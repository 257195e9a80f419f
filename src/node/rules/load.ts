// Reads rule files from disk for the engine: the built-in rules shipped in
// rules/builtin/ (found relative to this module, so it works from src/ under
// tsx and from dist/ after the build) and user rule files given by path.
import { readFile, readdir, stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { InputError, LimitError } from '../../core/errors.js';
import { loadRuleset, LOAD_LIMITS, type LoadResult, type RuleFile } from '../../core/rules/index.js';

export function builtinRulesDir(): string {
  return fileURLToPath(new URL('../../../rules/builtin/', import.meta.url));
}

async function readRuleFile(path: string, shown = path): Promise<RuleFile> {
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    throw new InputError('RULES_NOT_FOUND', (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String((e as Error).message), path);
  }
  if (st.isDirectory()) throw new InputError('RULES_IS_DIRECTORY', 'is a directory (give the .yaml files)', path);
  if (st.size > LOAD_LIMITS.maxFileBytes) throw new LimitError('LIMIT_RULES_FILE_SIZE', `larger than ${LOAD_LIMITS.maxFileBytes} bytes`, path);
  const buf = await readFile(path);
  if (buf.includes(0)) throw new InputError('RULES_BINARY', 'not a text file', path);
  return { name: shown, text: buf.toString('utf8') };
}

/** The built-in rule files, sorted by name. */
export async function builtinRuleFiles(): Promise<RuleFile[]> {
  const dir = builtinRulesDir();
  const names = (await readdir(dir)).filter((n) => n.endsWith('.yaml') || n.endsWith('.yml')).sort();
  return Promise.all(names.map((n) => readRuleFile(join(dir, n), `rules/builtin/${n}`)));
}

/** Load the built-in ruleset (builtin: catalog types). */
export async function loadBuiltinRules(): Promise<LoadResult> {
  return loadRuleset(await builtinRuleFiles(), { builtin: true });
}

/** Read user rule files; alerts of these rules are typed custom/<rule name>. */
export async function readRuleFiles(paths: string[]): Promise<RuleFile[]> {
  return Promise.all(paths.map((p) => readRuleFile(p)));
}

/** Load user rule files (in order) into one ruleset. */
export async function loadRuleFiles(paths: string[], opts: { source?: 'syscall' | 'k8s_audit' } = {}): Promise<LoadResult> {
  return loadRuleset(await readRuleFiles(paths), { builtin: false, ...opts });
}

/**
 * Built-in files by name for rule tests, with the shared macros file first
 * (`builtinFilesSync('reverse-shell.yaml')`). Synchronous: for test set-up.
 */
export function builtinFilesSync(...names: string[]): RuleFile[] {
  const dir = builtinRulesDir();
  return ['00-macros.yaml', ...names].map((n) => ({ name: `rules/builtin/${n}`, text: readFileSync(join(dir, n), 'utf8') }));
}
