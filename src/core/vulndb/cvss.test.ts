import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cvss2Score, cvss3Score, cvssFromVector, severityOfScore } from './cvss.js';

test('CVSS v3 base scores of published vectors', () => {
  const published: Array<[string, number | undefined]> = [
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', 10],
    ['CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 7.8],
    ['CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H', 7.2],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L', 5.3],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', 7.5],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1],
    ['CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N', 0],
    ['CVSS:3.1/AV:X/AC:L', undefined],
  ];
  for (const [vector, score] of published) assert.equal(cvss3Score(vector), score, vector);
});

test('CVSS v2 base scores and severity bands', () => {
  for (const [vector, score] of [
    ['AV:N/AC:L/Au:N/C:P/I:P/A:P', 7.5],
    ['AV:N/AC:L/Au:N/C:C/I:C/A:C', 10],
    ['AV:L/AC:L/Au:S/C:C/I:C/A:C', 6.8],
  ] as const)
    assert.equal(cvss2Score(vector), score, vector);
  for (const [score, version, band] of [
    [9.8, '3.1', 'critical'],
    [9.8, '2.0', 'high'],
    [5.3, '3.1', 'medium'],
  ] as const)
    assert.equal(severityOfScore(score, version), band, `${score} v${version}`);
  assert.deepEqual(cvssFromVector('CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'), {
    vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    version: '3.1',
    score: 9.8,
  });
  assert.equal(cvssFromVector('CVSS_V4', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 9.3)?.score, 9.3);
  assert.equal(cvssFromVector('Ubuntu', 'high'), undefined);
});
