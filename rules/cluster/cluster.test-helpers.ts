// Test helpers of the cluster rules: the rule file under test, read from
// disk, and a tuning file that appends items to the rules' lists (what an
// operator writes to allowlist trusted images, users, groups, namespaces).
import { readFileSync } from 'node:fs';

export interface RuleText {
  name: string;
  text: string;
}

/** rules/cluster/<base>.yaml as the loader reads it. */
export const clusterRuleFile = (base: string): RuleText => ({
  name: `rules/cluster/${base}.yaml`,
  text: readFileSync(new URL(`./${base}.yaml`, import.meta.url), 'utf8'),
});

/** A tuning.yaml appending `items` to each named list. */
export const appendToLists = (lists: Record<string, string[]>): RuleText => ({
  name: 'tuning.yaml',
  text: Object.entries(lists)
    .map(([list, items]) => `- list: ${list}\n  items: [${items.map((i) => JSON.stringify(i)).join(', ')}]\n  append: true\n`)
    .join(''),
});
