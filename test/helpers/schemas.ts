// Validators for report formats against their official JSON schemas:
// CycloneDX 1.6 (shipped in @cyclonedx/cyclonedx-library), SPDX 2.3 and
// SARIF 2.1.0 (test/schemas). Each returns the list of schema errors.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const require = createRequire(import.meta.url);
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const cdxDir = require.resolve('@cyclonedx/cyclonedx-library/package.json').replace(/package\.json$/, 'res/schema/');
const readJson = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;

function newAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  for (const f of ['iri-reference', 'idn-email', 'iri']) ajv.addFormat(f, true);
  return ajv;
}

let cdx: ValidateFunction | undefined;
let spdx: ValidateFunction | undefined;

function errors(v: ValidateFunction, doc: unknown): string[] {
  return v(doc) ? [] : (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

export function validateCycloneDx(bom: unknown): string[] {
  if (!cdx) {
    const ajv = newAjv();
    // The bom schema refers to its siblings by file name relative to its own $id.
    for (const name of ['spdx.SNAPSHOT.schema.json', 'jsf-0.82.SNAPSHOT.schema.json']) {
      ajv.addSchema({ ...readJson(`${cdxDir}${name}`), $id: `http://cyclonedx.org/schema/${name}` });
    }
    cdx = ajv.compile(readJson(`${cdxDir}bom-1.6.SNAPSHOT.schema.json`));
  }
  return errors(cdx, bom);
}

export function validateSpdx(doc: unknown): string[] {
  if (!spdx) spdx = newAjv().compile(readJson(new URL('../schemas/spdx-2.3.schema.json', import.meta.url).pathname));
  return errors(spdx, doc);
}
