// Fuzz: image indexes, manifests and configs (src/node/image/manifest.ts),
// including what callers do with a parsed result (platform choice, layer
// history and refs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  DEFAULT_PLATFORM,
  IMAGE_ERRORS,
  choosePlatform,
  isIndexDocument,
  layerHistory,
  layerRefs,
  parseConfig,
  parseIndex,
  parseManifest,
} from '../../src/node/image/manifest.js';
import { expectSync, fuzzJson, params } from './harness.js';

const json = (name: string): unknown => JSON.parse(readFileSync(new URL(`corpus/${name}`, import.meta.url), 'utf8'));
const indexes = [json('oci-index.json'), json('docker-manifest-list.json')];
const manifests = [json('oci-manifest.json'), json('docker-manifest.json')];
const configs = [json('image-config.json')];

test('manifest corpus: every valid sample parses', () => {
  for (const d of indexes) {
    assert.ok(isIndexDocument(d, undefined));
    assert.ok(choosePlatform(parseIndex(d, 'index.json', IMAGE_ERRORS), DEFAULT_PLATFORM, 'index.json', IMAGE_ERRORS).digest.startsWith('sha256:'));
  }
  for (const d of manifests) assert.ok(parseManifest(d, 'manifest.json', 128, IMAGE_ERRORS).layers.length > 0);
  const c = parseConfig(configs[0], 2, 'config.json', IMAGE_ERRORS);
  assert.equal(layerRefs(['sha256:a', 'sha256:b'], c).length, 2);
});

test('fuzz: index documents parse or fail with InputError', () => {
  fc.assert(
    fc.property(fuzzJson([...indexes, ...manifests]), (doc) => {
      expectSync('parseIndex', () => {
        isIndexDocument(doc, undefined);
        const entries = parseIndex(doc, 'index.json', IMAGE_ERRORS);
        choosePlatform(entries, DEFAULT_PLATFORM, 'index.json', IMAGE_ERRORS);
      });
    }),
    params(300),
  );
});

test('fuzz: manifests parse or fail with InputError', () => {
  fc.assert(
    fc.property(fuzzJson([...manifests, ...indexes]), (doc) => {
      expectSync('parseManifest', () => parseManifest(doc, 'manifest.json', 128, IMAGE_ERRORS));
    }),
    params(300),
  );
});

test('fuzz: image configs parse or fail with InputError; history and refs never throw on a parsed config', () => {
  fc.assert(
    fc.property(fuzzJson(configs), fc.integer({ min: 0, max: 4 }), (doc, layers) => {
      expectSync('parseConfig', () => {
        const c = parseConfig(doc, layers, 'config.json', IMAGE_ERRORS);
        layerHistory(c, layers);
        layerRefs(
          Array.from({ length: layers }, (_, i) => `sha256:${String(i).padStart(64, '0')}`),
          c,
        );
      });
    }),
    params(300),
  );
});
