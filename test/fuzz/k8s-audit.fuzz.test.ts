// Fuzz: Kubernetes audit events, as JSON lines and as whole documents
// (EventList or a single event), from the recorded Falco conformance events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { parseAuditDocument, parseAuditDocumentLenient, parseAuditLine, toAuditEvent } from '../../src/core/k8s/audit-event.js';
import { expectSync, fuzzJson, fuzzText, params } from './harness.js';

const dir = new URL('../../test/conformance/falco-k8s-audit/', import.meta.url);
const lines = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .slice(0, 20)
  .flatMap((f) =>
    readFileSync(new URL(f, dir), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== ''),
  );
const events = lines.map((l) => JSON.parse(l) as unknown);

test('audit corpus: every recorded line parses', () => {
  assert.ok(lines.length >= 20);
  for (const [i, l] of lines.entries()) assert.ok(parseAuditLine(l, i + 1).length >= 1);
});

test('fuzz: audit lines (text mutations) parse or fail with InputError', () => {
  fc.assert(
    fc.property(fuzzText(lines), (line) => {
      expectSync('parseAuditLine', () => parseAuditLine(line, 1));
    }),
    params(300),
  );
});

test('fuzz: audit events (structural mutations) convert or fail with InputError', () => {
  fc.assert(
    fc.property(fuzzJson(events), (ev) => {
      expectSync('toAuditEvent', () => toAuditEvent(ev, 'fuzz.json'));
      expectSync('parseAuditLine', () => parseAuditLine(JSON.stringify(ev) ?? 'undefined', 1));
    }),
    params(300),
  );
});

test('fuzz: audit documents (EventList framing) parse or fail with InputError; lenient parsing never throws', () => {
  const docs = [JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: events.slice(0, 5) }), lines.slice(0, 5).join('\n')];
  fc.assert(
    fc.property(fuzzText(docs), (text) => {
      expectSync('parseAuditDocument', () => parseAuditDocument(text, 'fuzz.json'));
      parseAuditDocumentLenient(text, 'fuzz.json');
    }),
    params(200),
  );
});
