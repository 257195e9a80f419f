import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cidrSet, parseCidr, parseIpv4, parseIpv6 } from './cidr.js';

test('IPv4 and IPv6 parsing', () => {
  assert.equal(parseIpv4('10.0.0.1'), 167772161);
  for (const bad of ['1.2.3', '1.2.3.256', '01234.1.1.1', 'a.b.c.d', '', '1..2.3']) assert.equal(parseIpv4(bad), undefined, bad);
  assert.equal(parseIpv6('::1'), 1n);
  assert.equal(parseIpv6('2001:db8::'), 0x20010db8n << 96n);
  assert.equal(parseIpv6('::ffff:10.0.0.1'), (0xffffn << 32n) | 167772161n);
  assert.equal(parseIpv6('fe80::1%eth0'), (0xfe80n << 112n) | 1n);
  for (const bad of ['1::2::3', 'gggg::', '1:2:3:4:5:6:7:8:9', '12345::']) assert.equal(parseIpv6(bad), undefined, bad);
  assert.equal(parseCidr('10.0.0.0/33'), undefined);
  assert.equal(parseCidr('10.0.0.0/x'), undefined);
});

test('CIDR sets: merged ranges, both families, invalid entries reported', () => {
  const s = cidrSet(['10.0.0.0/8', '10.1.0.0/16', '192.168.1.0/24', '203.0.113.9', '2001:db8::/32', 'junk']);
  assert.deepEqual(s.invalid, ['junk']);
  for (const ip of ['10.255.255.255', '10.0.0.0', '192.168.1.77', '203.0.113.9', '2001:db8:1::5']) assert.ok(s.has(ip), ip);
  for (const ip of ['11.0.0.0', '192.168.2.1', '203.0.113.10', '2001:db9::1', 'not-ip', '']) assert.ok(!s.has(ip), ip);
  assert.ok(cidrSet(['0.0.0.0/0']).has('255.255.255.255'));
});
