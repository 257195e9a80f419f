import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError, LimitError } from './errors.js';

test('error messages are one line: control characters from quoted input or paths are escaped', () => {
  const e = new InputError('AUDIT_JSON_INVALID', 'malformed JSON: "\u0000\n" is not valid\r\u2028JSON', 'layer 0: /etc/evil\nname');
  assert.equal(e.message, 'layer 0: /etc/evil\\nname: malformed JSON: "\\u0000\\n" is not valid\\r\\u2028JSON');
  assert.equal(e.where, 'layer 0: /etc/evil\nname', 'where keeps the raw value');
  assert.equal(new LimitError('LIMIT_ENTRIES', 'a\tb').message, 'a\tb', 'tabs stay');
});
