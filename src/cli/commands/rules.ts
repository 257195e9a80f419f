// `vigil rules lint|test|list|effective`: the detection rules (Falco-compatible YAML).
// Implementation: src/node/rules/rules-command.ts.
import type { Command } from 'commander';
import { lazyAction } from '../exit.js';

export function register(program: Command): void {
  const rules = program.command('rules').description('lint and test detection rule files; list the built-in rules');
  rules
    .command('lint')
    .description('load rule files and report errors and warnings with codes; list rules skipped for unsupported fields (exit 1 on errors)')
    .argument('[files...]', 'rule files (YAML), loaded in order')
    .option('-f, --format <format>', 'table or json', 'table')
    .option('--builtin', 'lint as built-in rules (catalog types required); with no files, lint the shipped built-in rules')
    .option('--source <source>', 'default source of rules that name none: syscall or k8s_audit')
    .action(lazyAction(() => import('../rules/rules-command.js'), 'rulesLint'));
  rules
    .command('test')
    .description("run the examples embedded in rules (examples: {fires: [...], silent: [...]}); with no files, the built-in rules' (exit 1 on failure)")
    .argument('[files...]', 'rule files (YAML)')
    .option('-f, --format <format>', 'table or json', 'table')
    .option('--builtin', 'load the files as built-in rules')
    .option('--source <source>', 'default source: syscall or k8s_audit')
    .action(lazyAction(() => import('../rules/rules-command.js'), 'rulesTest'));
  rules
    .command('effective')
    .description('what is enabled, with which thresholds and allowlists, and from which detection policy each setting comes')
    .option('--policy <file>', 'detection policy file (kind: DetectionPolicy; repeatable, applied in order)', (v: string, p: string[] = []) => [...p, v])
    .option('--rules <file>', 'user rule file as given to runtime watch / k8s audit (repeatable)', (v: string, p: string[] = []) => [...p, v])
    .option('-f, --format <format>', 'table or json', 'table')
    .action(lazyAction(() => import('../rules/rules-command.js'), 'rulesEffective'));
  rules
    .command('list')
    .description('list the built-in rules and detectors and the alert types they raise')
    .option('-f, --format <format>', 'table or json', 'table')
    .action(lazyAction(() => import('../rules/rules-command.js'), 'rulesList'));
}
