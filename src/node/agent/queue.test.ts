import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Alert } from '../../core/alerts/types.js';
import { AlertQueue } from './queue.js';

const alert = (id: string): Alert => ({
  id,
  type: 'system/key-file-change',
  severity: 'high',
  time: '2026-01-01T00:00:00.000Z',
  message: 'm',
  rule: 'r',
  host: 'h',
});

test('queue: keeps alerts across reopen, removes acknowledged ones, drops and counts past the cap', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-queue-'));
  try {
    const path = join(dir, 'q.db');
    let q = new AlertQueue(path, 3);
    assert.equal(q.push(alert('a')), true);
    assert.equal(q.push(alert('a')), true, 'the same ID is kept once');
    assert.equal(q.push(alert('b')), true);
    assert.equal(q.push(alert('c')), true);
    assert.equal(q.depth, 3);
    assert.equal(q.push(alert('d')), false);
    assert.equal(q.dropped, 1);
    q.close();
    q = new AlertQueue(path, 3);
    assert.equal(q.depth, 3);
    assert.equal(q.dropped, 1, 'the dropped counter survives a restart');
    const first = q.next(0, 2);
    assert.deepEqual(
      first.map((r) => r.id),
      ['a', 'b'],
    );
    assert.deepEqual(
      q.next(first[1]!.seq, 10).map((r) => r.id),
      ['c'],
    );
    assert.equal((JSON.parse(first[0]!.json) as Alert).type, 'system/key-file-change');
    q.remove(['a', 'zzz']);
    assert.equal(q.depth, 2);
    assert.equal(q.push(alert('d')), true);
    assert.deepEqual(
      q.next(0, 10).map((r) => r.id),
      ['b', 'c', 'd'],
    );
    q.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
