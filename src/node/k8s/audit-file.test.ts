import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventListNearStart } from './audit-file.js';

test('eventListNearStart says what lastIndexOf("\\"EventList\\"", 200) says', () => {
  const cases = [
    '',
    '"EventList"',
    'EventList"',
    'x"EventList"',
    '"EventList"EventList"',
    '{"kind":"EventList","items":[]}',
    '{"kind":"Event","x":"EventList"}',
  ];
  for (let k = 0; k < 230; k++) {
    cases.push(' '.repeat(k) + '"EventList"', ' '.repeat(k) + 'EventList"', 'EventList"'.repeat(k % 25) + ' '.repeat(k) + '"EventList"');
  }
  for (const s of cases) assert.equal(eventListNearStart(s), s.lastIndexOf('"EventList"', 200) >= 0, JSON.stringify(s));
});
