import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModuleIndex } from './module-index.js';
import { ALERT_CATALOG, isCatalogType, customType } from './alerts/catalog.js';

test('module index sorts and rejects duplicate ids', () => {
  const idx = new ModuleIndex('analyzer', [{ id: 'b' }, { id: 'a' }]);
  assert.deepEqual(
    idx.all().map((m) => m.id),
    ['a', 'b'],
  );
  assert.throws(() => idx.add({ id: 'a' }), /duplicate analyzer id: a/);
  assert.throws(() => idx.require('zz'), /unknown analyzer: zz/);
});

test('alert catalog holds the 29 types of product.md section 5', () => {
  assert.equal(ALERT_CATALOG.length, 29);
  assert.ok(isCatalogType('system/reverse-shell'));
  assert.ok(!isCatalogType(customType('Terminal shell in container')));
});
