import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError, LimitError } from '../errors.js';
import { normalizeCidr } from './cidr.js';
import { parseThreatFeed, parseThreatIpList } from './threat-ips.js';
import { expectCases } from '../expect-cases.test-helpers.js';

test('threat feeds: Spamhaus DROP layout, Feodo Tracker txt and CSV, Vigil files', () => {
  assert.deepEqual(parseThreatFeed('; Spamhaus DROP List\r\n; Last-Modified: x\r\n1.10.16.0/20 ; SBL256894\r\n2.56.192.9/22;SBL1\r\n'), [
    { cidr: '1.10.16.0/20', comment: 'SBL256894' },
    { cidr: '2.56.192.0/22', comment: 'SBL1' },
  ]);
  assert.deepEqual(parseThreatFeed('# Feodo Tracker\n#\n51.178.161.32\n# END\n'), [{ cidr: '51.178.161.32/32', comment: '' }]);
  assert.deepEqual(
    parseThreatFeed(
      '# "first_seen_utc","dst_ip","dst_port","c2_status","last_online","malware"\n"2021-01-17 07:44:46","51.178.161.32","4643","online","2026-12-06","Dridex"\n',
    ),
    [{ cidr: '51.178.161.32/32', comment: 'first_seen_utc=2021-01-17 07:44:46 dst_port=4643 c2_status=online last_online=2026-12-06 malware=Dridex' }],
  );
  // An uncommented header row.
  assert.deepEqual(parseThreatFeed('ip,comment\n10.0.0.1,"a, b"\n'), [{ cidr: '10.0.0.1/32', comment: 'comment=a, b' }]);
  assert.deepEqual(parseThreatFeed('2001:DB8::1/32 # doc range\n'), [{ cidr: '2001:db8::/32', comment: 'doc range' }]);
  assert.equal(parseThreatIpList('10.0.0.0/8 ; x\n').has('10.9.9.9'), true);
});

test('threat feeds: broken input is one line naming the line; limits', () => {
  for (const [text, line] of [
    ['1.2.3.4\n<html>\n', 2],
    ['10.0.0.0/33 ; too many bits\n', 1],
    ['"2021","999.1.1.1","1"\n', 1],
    ['1.2.3.4/\n', 1],
    ['\u0000\u0001binary\n', 1],
  ] as const) {
    assert.throws(
      () => parseThreatFeed(text, 'feed.txt'),
      (e: unknown) =>
        e instanceof InputError && e.code === 'THREAT_IP_INVALID' && e.message.startsWith(`feed.txt: line ${line}:`) && !/[\n\r\u0000]/.test(e.message),
      JSON.stringify(text),
    );
  }
  assert.throws(
    () => parseThreatFeed('1.1.1.1\n2.2.2.2\n3.3.3.3\n', 'f', 2),
    (e: unknown) => e instanceof LimitError && e.code === 'LIMIT_THREAT_IPS',
  );
});

test('normalizeCidr: canonical network forms', () => {
  expectCases(normalizeCidr, [
    ['10.1.2.3/24', '10.1.2.0/24'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['::1', '::1/128'],
    ['fe80:0:0:1::/64', 'fe80:0:0:1::/64'],
    ['::ffff:1.2.3.4', '::ffff:102:304/128'],
    ['1.2.3', undefined],
    ['1.2.3.4/-1', undefined],
  ]);
});
