// The console's API types are generated from the server's own OpenAPI
// document; a route change that is not regenerated fails here (and a route
// change that breaks the console then fails the console's typecheck).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { generateSchemaTs, SCHEMA_PATH } from '../../../scripts/gen-api-client.js';

test('web/src/api/schema.d.ts is generated from the current routes (npm run gen:api)', async () => {
  const fresh = await generateSchemaTs();
  const checkedIn = readFileSync(SCHEMA_PATH, 'utf8');
  assert.ok(fresh.includes('"/api/v1/projects/{projectId}/images"'), 'generated types name the image routes');
  assert.ok(fresh === checkedIn, 'web/src/api/schema.d.ts is out of date: run npm run gen:api and commit it');
});
