import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { detectFraming, parseAuditDocument, parseAuditLine, toAuditEvent } from './audit-event.js';

const dir = new URL('../../../test/conformance/falco-k8s-audit/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, dir), 'utf8');

test('parses v1, v1beta1 and apiVersion-less recorded events', () => {
  for (const name of ['create_secret.json', 'create_nginx_pod_privileged.json', 'exec_pod.json']) {
    const [ev, ...rest] = parseAuditLine(read(name).split('\n')[0]!, 1);
    assert.equal(rest.length, 0);
    assert.equal(ev!.source, 'k8s_audit');
    assert.ok(ev!.time > Date.parse('2018-01-01'), name);
    assert.equal(typeof ev!.audit.auditID, 'string');
  }
  const ev = parseAuditLine(read('exec_pod.json'), 1)[0]!;
  // stageTimestamp 2018-10-26T13:38:34.902914Z keeps its microseconds as a fraction
  assert.equal(ev.time, Date.parse('2018-10-26T13:38:34.902Z') + 0.914);
});

test('the malformed recording is rejected with a clear reason', () => {
  assert.throws(
    () => parseAuditLine(read('fal_01_003.json').trim(), 7),
    (e: unknown) => {
      assert.ok(e instanceof InputError);
      assert.equal(e.code, 'AUDIT_EVENT_INVALID');
      assert.match(e.message, /^line 7: data not recognized as a k8s audit event/);
      return true;
    },
  );
});

test('broken input gives coded one-line errors', () => {
  const cases: Array<[string, string]> = [
    ['{"kind":"Event"', 'AUDIT_JSON_INVALID'],
    ['42', 'AUDIT_EVENT_INVALID'],
    ['null', 'AUDIT_EVENT_INVALID'],
    ['{"kind":"Event","auditID":"a","stage":"ResponseComplete","verb":"get"}', 'AUDIT_EVENT_INVALID'],
    ['{"kind":"Event","auditID":"a","stage":"Bogus","verb":"get","requestURI":"/"}', 'AUDIT_EVENT_INVALID'],
    ['{"apiVersion":"v1","kind":"Event","auditID":"a","stage":"ResponseComplete","verb":"get","requestURI":"/"}', 'AUDIT_EVENT_INVALID'],
    ['{"kind":"Event","auditID":"a","stage":"ResponseComplete","verb":"get","requestURI":"/","user":"bob"}', 'AUDIT_EVENT_INVALID'],
    ['{"kind":"EventList","items":{}}', 'AUDIT_EVENT_INVALID'],
  ];
  for (const [line, code] of cases) {
    assert.throws(
      () => parseAuditLine(line, 3),
      (e: unknown) => e instanceof InputError && e.code === code && e.message.startsWith('line 3') && !e.message.includes('\n'),
      line,
    );
  }
  assert.throws(() => parseAuditLine('x'.repeat(101), 1, { maxLineBytes: 100, maxDocumentBytes: 1000, maxEventsPerDocument: 10 }), /LIMIT|longer than 100/);
});

test('EventList bodies and arrays', () => {
  const a = JSON.parse(read('create_secret.json').split('\n')[0]!);
  const b = JSON.parse(read('exec_pod.json'));
  const list = { kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items: [a, b] };
  assert.equal(parseAuditDocument(JSON.stringify(list), 'body').length, 2);
  assert.equal(parseAuditDocument(JSON.stringify([a, b, a]), 'body').length, 3);
  assert.equal(parseAuditDocument(JSON.stringify({ kind: 'EventList', items: null }), 'body').length, 0);
  assert.equal(parseAuditLine(JSON.stringify(list), 1).length, 2);
  assert.throws(
    () => parseAuditDocument(JSON.stringify([a, a, a]), 'body', { maxLineBytes: 1e6, maxDocumentBytes: 1e6, maxEventsPerDocument: 2 }),
    /LIMIT|3 events/,
  );
  assert.throws(() => parseAuditDocument(JSON.stringify({ kind: 'EventList', items: [a, { kind: 0 }] }), 'body'), /body item 1: data not recognized/);
  assert.equal(toAuditEvent(a, 'x', 'node1').host, 'node1');
});

test('framing detection', () => {
  assert.equal(detectFraming('  [ {"a":1}'), 'document');
  assert.equal(detectFraming('{\n  "kind": "EventList"'), 'document');
  assert.equal(detectFraming('{"kind":"Event"}\n{"kind":"Event"}'), 'lines');
  assert.equal(detectFraming(''), 'lines');
});

test('timestamps: the apiserver layout, other RFC 3339 forms, and garbage', () => {
  const ev = (ts: unknown) => toAuditEvent({ kind: 'Event', auditID: 'a', stage: 'ResponseComplete', verb: 'get', requestURI: '/', stageTimestamp: ts });
  assert.equal(ev('2024-02-29T23:59:59.123456Z').time, Date.UTC(2024, 1, 29, 23, 59, 59, 123) + 0.456);
  assert.equal(ev('2024-02-29T23:59:59Z').time, Date.UTC(2024, 1, 29, 23, 59, 59));
  assert.equal(ev('2024-02-29T23:59:59.5Z').time, Date.UTC(2024, 1, 29, 23, 59, 59, 500));
  assert.equal(ev('2024-02-29T23:59:59.123+02:00').time, Date.UTC(2024, 1, 29, 21, 59, 59, 123));
  assert.equal(ev('yesterday').time, 0);
  assert.equal(ev(12).time, 0);
});

test('fuzz regression: malformed JSON errors stay one line although the parser quotes the input', () => {
  for (const [fn, input] of [
    [() => parseAuditLine('\u0000\n', 1), '\u0000\n'],
    [() => parseAuditDocument('["masters",\nsystem:aut"]', 'f.json'), ''],
  ] as const) {
    assert.throws(fn, (e: unknown) => e instanceof InputError && e.code === 'AUDIT_JSON_INVALID' && !/[\n\r\u0000]/.test(e.message), input);
  }
});
