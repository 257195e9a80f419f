// The end-to-end coverage registry of the alert catalog (issue 19 item 5):
// an end-to-end test that checks an alert type raised from a real event
// source (kernel events, a file change, an audit event, an auth log, an
// image scan, an admission request) names the type through `e2eType()`
// inside the assertion itself. test/e2e/catalog-coverage.test.ts finds those
// calls in the test sources, so the registry is the assertions: delete one
// and its type is uncovered. Rule tests on synthetic events (rules/, src/core)
// do not count.
import { ALERT_CATALOG } from '../../src/core/alerts/catalog.js';

/** Where the event that raised the alert came from. */
export type E2ESource = 'kernel event' | 'file change' | 'audit event' | 'auth log' | 'image scan' | 'admission request';

const KNOWN = new Set(ALERT_CATALOG.map((t) => t.id));

/** The catalog type `type`, as checked by an end-to-end test on a real `source`; throws on a type the catalog does not have. */
export function e2eType(type: string, source: E2ESource): string {
  if (!KNOWN.has(type)) throw new Error(`e2eType: ${type} is not a catalog type (${source})`);
  return type;
}
