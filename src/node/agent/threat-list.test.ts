// Packed threat lists over the agent link: entries packed and unpacked to the
// same canonical CIDRs (IPv4 and IPv6, host bits cleared), 300,000 entries cut
// into chunks that each fit a message and put back whole by the agent's
// assembler; broken chunks (out of order, a digest that does not check, bad
// bytes, too many) refused with a reason; and an agent built on the proto
// before ThreatList (ServerMessage member 50 unknown to it) decodes such a
// message as one with no member, which its stream handler ignores.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as protoLoader from '@grpc/proto-loader';
import * as grpc from '@grpc/grpc-js';
import { createHash } from 'node:crypto';
import { packCidrs, unpackCidrs } from '../../core/rules/cidr-pack.js';
import { MAX_MESSAGE_BYTES, PROTO_FILE, HEALTH_PROTO_FILE } from './proto.js';
import { THREAT_LIST_CHUNK_BYTES, ThreatListAssembler, threatListChunks } from './threat-list.js';

/** n distinct IPv4 /32s from 10.0.0.0 on, and a few other forms. */
const many = (n: number) => Array.from({ length: n }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`);

test('packed CIDRs come back canonical; bad bytes are refused naming the offset', () => {
  const input = ['203.0.113.0/24', '198.51.100.7/32', '2001:db8::/32', '::1/128', '0.0.0.0/0', '2001:db8:0:0:1::/80', 'not-a-cidr'];
  const p = packCidrs(input);
  assert.equal(p.count, 6);
  assert.equal(p.invalid, 1);
  assert.equal(p.bytes.length, 6 * 3 + 18 * 3);
  assert.deepEqual(unpackCidrs(p.bytes, 10), ['203.0.113.0/24', '198.51.100.7/32', '2001:db8::/32', '::1/128', '0.0.0.0/0', '2001:db8:0:0:1::/80']);
  assert.throws(() => unpackCidrs(Uint8Array.from([5, 32, 1, 2, 3, 4]), 10), /entry at byte 0: family 5/);
  assert.throws(() => unpackCidrs(Uint8Array.from([4, 32, 1, 2, 3, 4, 4, 24, 1, 2]), 10), /entry at byte 6: truncated/);
  assert.throws(() => unpackCidrs(Uint8Array.from([4, 33, 1, 2, 3, 4]), 10), /prefix \/33 longer/);
  assert.throws(() => unpackCidrs(packCidrs(many(11)).bytes, 10), /more than 10 entries/);
});

test('300,000 entries: chunks under the message limit, put back whole by the agent', () => {
  const cidrs = [...many(299_998), '2001:db8::/32', '198.51.100.0/24'];
  const { digest, count, chunks } = threatListChunks(cidrs);
  assert.equal(count, 300_000);
  assert.ok(chunks.length >= 2, 'more than one chunk');
  for (const c of chunks) assert.ok(c.packed.length <= THREAT_LIST_CHUNK_BYTES && c.packed.length < MAX_MESSAGE_BYTES - 1024);
  const a = new ThreatListAssembler();
  for (const c of chunks.slice(0, -1)) assert.deepEqual(a.add(c), {});
  assert.equal(a.list(digest), undefined, 'not before the last chunk');
  assert.deepEqual(a.add(chunks.at(-1)!), { complete: { digest, count: 300_000 } });
  const got = a.list(digest)!;
  assert.equal(got.length, 300_000);
  assert.deepEqual(new Set(got), new Set(cidrs));

  // Broken deliveries: each refused with why, nothing half-kept.
  const b = new ThreatListAssembler();
  assert.match(b.add(chunks[1]!).error!, /chunk 1 of \d+ out of order/);
  assert.deepEqual(b.add(chunks[0]!), {});
  assert.match(b.add({ ...chunks[1]!, index: 5 }).error!, /chunk 5 of \d+ out of order/);
  const tampered = chunks.map((c) => ({ ...c, packed: Buffer.from(c.packed) }));
  tampered[1]!.packed[10] ^= 1;
  for (const c of tampered.slice(0, -1)) b.add(c);
  assert.match(b.add(tampered.at(-1)!).error!, /do not match the digest/);
  assert.equal(b.list(digest), undefined);
  assert.match(b.add({ ...chunks[0]!, chunks: 100_000 }).error!, /100000 chunks/);
  assert.match(b.add({ ...chunks[0]!, digest: 'x' }).error!, /no sha256 digest/);
  assert.match(b.add({ ...chunks[0]!, count: 600_000 }).error!, /600000 entries, more than 500000/);
  // Bytes that hash right but do not unpack (the server's word is checked too).
  const junk = Buffer.from([9, 9, 9]);
  const jd = createHash('sha256').update(junk).digest('hex');
  assert.match(b.add({ digest: jd, index: 0, chunks: 1, count: 1, packed: junk }).error!, /family 9/);
});

test('an agent whose proto predates ThreatList ignores the member (old agents do not break)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-old-proto-'));
  try {
    const oldProto = join(dir, 'vigil', 'agent', 'v1', 'agent.proto');
    mkdirSync(join(dir, 'vigil', 'agent', 'v1'), { recursive: true });
    mkdirSync(join(dir, 'grpc', 'health', 'v1'), { recursive: true });
    copyFileSync(HEALTH_PROTO_FILE, join(dir, 'grpc', 'health', 'v1', 'health.proto'));
    const text = readFileSync(PROTO_FILE, 'utf8');
    const withoutMember = text.replace(/\n\s*ThreatList threat_list = 50;/, '');
    assert.notEqual(withoutMember, text);
    writeFileSync(oldProto, withoutMember);
    const opts = { keepCase: false, longs: Number, enums: String, defaults: true, oneofs: true };
    const load = (f: string) => {
      const def = protoLoader.loadSync(f, opts);
      const pkg = grpc.loadPackageDefinition(def) as unknown as { vigil: { agent: { v1: { AgentLink: { service: grpc.ServiceDefinition } } } } };
      return pkg.vigil.agent.v1.AgentLink.service.Connect!;
    };
    const now = load(PROTO_FILE);
    const old = load(oldProto);
    const { chunks } = threatListChunks(many(1000));
    const wire = now.responseSerialize({ threatList: chunks[0] });
    const seen = old.responseDeserialize(wire) as Record<string, unknown>;
    assert.equal(seen.body, undefined, 'no member the old agent knows');
    for (const k of ['ack', 'reject', 'command', 'throttle', 'imageScanAck', 'learnedDecisions']) assert.equal(seen[k] ?? null, null);
    // And the new one reads it back whole.
    const back = now.responseDeserialize(wire) as { body: string; threatList: { digest: string; count: number; packed: Uint8Array } };
    assert.equal(back.body, 'threatList');
    assert.equal(back.threatList.count, 1000);
    assert.deepEqual(Buffer.from(back.threatList.packed), Buffer.from(chunks[0]!.packed));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
