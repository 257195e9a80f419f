// `vigil rules lint|test|list|effective`: the detection rules (Falco-compatible YAML).
// Implementation: src/node/rules/rules-command.ts.
import type { Command } from 'commander';
import { lazyAction } from '../exit.js';
import { collect } from '../options.js';

export function register(program: Command): void {
  const rules = program.command('rules').description('lint and test detection rule files; list the built-in rules');
  // Each subcommand prints a table or JSON and runs its function of src/node/rules/rules-command.ts.
  const sub = (name: string, description: string, run: 'rulesLint' | 'rulesTest' | 'rulesEffective' | 'rulesList', options: (c: Command) => Command): Command =>
    options(rules.command(name).description(description).option('-f, --format <format>', 'table or json', 'table')).action(
      lazyAction(() => import('../rules/rules-command.js'), run),
    );
  sub('lint', 'load rule files and report errors and warnings with codes; list rules skipped for unsupported fields (exit 1 on errors)', 'rulesLint', (c) =>
    c
      .argument('[files...]', 'rule files (YAML), loaded in order')
      .option('--builtin', 'lint as built-in rules (catalog types required); with no files, lint the shipped built-in rules')
      .option('--source <source>', 'default source of rules that name none: syscall or k8s_audit'),
  );
  sub(
    'test',
    "run the examples embedded in rules (examples: {fires: [...], silent: [...]}); with no files, the built-in rules' (exit 1 on failure)",
    'rulesTest',
    (c) =>
      c
        .argument('[files...]', 'rule files (YAML)')
        .option('--builtin', 'load the files as built-in rules')
        .option('--source <source>', 'default source: syscall or k8s_audit'),
  );
  sub('effective', 'what is enabled, with which thresholds and allowlists, and from which detection policy each setting comes', 'rulesEffective', (c) =>
    c
      .option('--policy <file>', 'detection policy file (kind: DetectionPolicy; repeatable, applied in order)', collect)
      .option('--rules <file>', 'user rule file as given to runtime watch / k8s audit (repeatable)', collect)
      .option(
        '--agent-data-dir <dir>',
        "an agent's data dir: add the set its server pushed last (detection policies, server rule files, threat list), merged as the agent merges it; give the agent's own --policy and --rules too",
      ),
  );
  sub('list', 'list the built-in rules and detectors and the alert types they raise', 'rulesList', (c) => c);
}
