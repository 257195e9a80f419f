import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinRuleFiles, loadRuleFiles } from './load.js';
import { loadThreatIps } from './threat-ips.js';

test('rule file reader: missing, directory and binary files are coded input errors', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-load-'));
  try {
    const bin = join(dir, 'bin.yaml');
    writeFileSync(bin, Buffer.from([0x2d, 0x20, 0x00, 0x01]));
    await assert.rejects(loadRuleFiles([bin]), (e: Error & { code?: string }) => e.code === 'RULES_BINARY' && e.message.includes('bin.yaml'));
    await assert.rejects(loadRuleFiles([dir]), (e: Error & { code?: string }) => e.code === 'RULES_IS_DIRECTORY');
    await assert.rejects(loadRuleFiles([join(dir, 'none.yaml')]), (e: Error & { code?: string }) => e.code === 'RULES_NOT_FOUND');
    const ok = join(dir, 'ok.yaml');
    writeFileSync(ok, '- rule: R\n  desc: d\n  condition: evt.type = execve\n  output: o\n  priority: INFO\n  type: system/reverse-shell\n');
    const r = await loadRuleFiles([ok]);
    assert.equal(r.ruleset.rules[0]!.type, 'custom/R');
    const ips = join(dir, 'ips.txt');
    writeFileSync(ips, '# test\n198.51.100.0/24\n');
    assert.ok((await loadThreatIps(ips)).has('198.51.100.9'));
    assert.ok((await loadThreatIps()).has('203.0.113.1'));
    await assert.rejects(loadThreatIps(join(dir, 'none.txt')), (e: Error & { code?: string }) => e.code === 'THREAT_IPS_NOT_FOUND');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal((await builtinRuleFiles())[0]!.name, 'rules/builtin/00-macros.yaml');
});
