// The doc page a module names (`docs: 'docs/x.md#anchor'`): the file must
// exist and, with an anchor, have a heading whose GitHub-style slug is it.
// The module index tests (report formats, image sources) check theirs with it.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const repo = new URL('../../', import.meta.url).pathname;

/** A Markdown heading's anchor as GitHub makes it. */
export function headingSlug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .replace(/ /g, '-');
}

/** The text of the page `docs` names, after asserting it exists and has the heading of its anchor (`what` names the module). */
export function documentedPage(docs: string, what: string): string {
  const [file, anchor] = docs.split('#');
  assert.ok(existsSync(join(repo, file!)), `${what}: ${file} exists`);
  const page = readFileSync(join(repo, file!), 'utf8');
  if (anchor)
    assert.ok(
      page.split('\n').some((l) => /^#+ /.test(l) && headingSlug(l.replace(/^#+ /, '')) === anchor),
      `${what}: ${docs} has the heading`,
    );
  return page;
}
