import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, TEST_CONTAINER } from '../../core/rules/event-builders.js';
import { LimitError } from '../../core/errors.js';
import { loadEngine } from './engine.js';

const outbound = (ip: string) => connect(ip, 443, { container: TEST_CONTAINER, cmd: 'curl' });

test('runtime engine: the threat-IP list comes from the one reader (default list without a file, coded errors)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-engine-'));
  try {
    // No --threat-ips: the documented default list (203.0.113.0/24) applies.
    const byDefault = await loadEngine({ host: 'h' });
    assert.deepEqual(
      byDefault.process(outbound('203.0.113.7')).map((a) => a.type),
      ['network/abnormal-outbound'],
    );
    assert.deepEqual(
      byDefault.process(outbound('198.51.100.9')).filter((a) => a.type === 'network/abnormal-outbound'),
      [],
    );

    const ips = join(dir, 'ips.txt');
    writeFileSync(ips, '# feed\n198.51.100.0/24\n');
    const fromFile = await loadEngine({ host: 'h', threatIpsFile: ips });
    assert.deepEqual(
      fromFile.process(outbound('198.51.100.9')).map((a) => a.type),
      ['network/abnormal-outbound'],
    );

    // A directory, a missing file, an oversized file, a bad line: one coded line each, never a raw fs error.
    const code = (c: string) => (e: Error & { code?: string }) => e.code === c && e.message.startsWith(dir);
    await assert.rejects(loadEngine({ host: 'h', threatIpsFile: dir }), code('THREAT_IPS_NOT_A_FILE'));
    await assert.rejects(loadEngine({ host: 'h', threatIpsFile: join(dir, 'none.txt') }), code('THREAT_IPS_NOT_FOUND'));
    const big = join(dir, 'big.txt');
    writeFileSync(big, '');
    truncateSync(big, 64 * 1024 * 1024 + 1);
    await assert.rejects(loadEngine({ host: 'h', threatIpsFile: big }), (e) => e instanceof LimitError && e.code === 'LIMIT_THREAT_IPS_SIZE');
    writeFileSync(ips, '198.51.100.0/24\nnot-an-ip\n');
    await assert.rejects(
      loadEngine({ host: 'h', threatIpsFile: ips }),
      (e: Error & { code?: string }) => e.code === 'THREAT_IP_INVALID' && /line 2/.test(e.message),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
