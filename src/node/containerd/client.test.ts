// The containerd client's edges without containerd (the real daemon is in
// test/e2e/agent/node-containerd.test.ts): the socket address, one-line
// errors for a missing socket, a file that is not a socket, a gRPC server
// that does not serve containerd's API and a socket that never answers; the
// events' field-1 reader on broken bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { InputError } from '../../core/errors.js';
import { ContainerdClient, containerdSocketPath, CONTAINERD_SOCKET, firstStringField } from './client.js';

const oneLine = (code: string, re: RegExp) => (e: unknown) => e instanceof InputError && e.code === code && re.test(e.message) && !e.message.includes('\n');

test('the socket: flag, else CONTAINERD_ADDRESS (path or unix://), else the default; relative paths refused', () => {
  assert.equal(containerdSocketPath(undefined, {}), CONTAINERD_SOCKET);
  assert.equal(containerdSocketPath(undefined, { CONTAINERD_ADDRESS: 'unix:///x/c.sock' }), '/x/c.sock');
  assert.equal(containerdSocketPath('/y.sock', { CONTAINERD_ADDRESS: '/x.sock' }), '/y.sock');
  assert.throws(() => containerdSocketPath('tcp://1.2.3.4:1', {}), oneLine('CONTAINERD_ADDRESS', /absolute unix socket/));
  assert.throws(() => containerdSocketPath('run/c.sock', {}), oneLine('CONTAINERD_ADDRESS', /absolute/));
});

test('field 1 of an event: the container id; other fields skipped; broken bytes give nothing', () => {
  // TaskStart{container_id: "web", pid: 42}, written pid first
  const msg = Buffer.from([0x10, 42, 0x0a, 3, ...Buffer.from('web')]);
  assert.equal(firstStringField(msg), 'web');
  // a fixed64 and a fixed32 field before it
  assert.equal(firstStringField(Buffer.from([0x19, 1, 2, 3, 4, 5, 6, 7, 8, 0x25, 1, 2, 3, 4, 0x0a, 1, 0x41])), 'A');
  assert.equal(firstStringField(Buffer.from([0x0a, 50, 0x41])), ''); // length past the end
  assert.equal(firstStringField(Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])), ''); // varint never ends
  assert.equal(firstStringField(Buffer.from([0x0b])), ''); // group wire type
  assert.equal(firstStringField(Buffer.alloc(0)), '');
});

test('no socket, a regular file, a gRPC server without containerd, a socket that never answers: one line each', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-ctd-client-'));
  const servers: Array<() => Promise<void>> = [];
  try {
    await assert.rejects(new ContainerdClient({ socketPath: join(dir, 'none.sock') }).version(), oneLine('CONTAINERD_UNREACHABLE', /no containerd socket/));
    writeFileSync(join(dir, 'file.sock'), 'x');
    await assert.rejects(new ContainerdClient({ socketPath: join(dir, 'file.sock') }).version(), oneLine('CONTAINERD_UNREACHABLE', /not a unix socket/));

    const g = new grpc.Server();
    const sock = join(dir, 'other.sock');
    await new Promise<void>((res, rej) => g.bindAsync(`unix://${sock}`, grpc.ServerCredentials.createInsecure(), (e) => (e ? rej(e) : res())));
    servers.push(async () => g.forceShutdown());
    const other = new ContainerdClient({ socketPath: sock, timeoutMs: 5000 });
    await assert.rejects(other.version(), oneLine('CONTAINERD_API', /does not serve containerd's API/));
    await assert.rejects(other.images('default'), oneLine('CONTAINERD_API', /containerd .*Images\.List/));
    other.close();

    const conns: Socket[] = [];
    const silent = createServer((c) => conns.push(c)); // accepts and never speaks HTTP/2
    const quiet = join(dir, 'quiet.sock');
    await new Promise<void>((r) => silent.listen(quiet, () => r()));
    servers.push(
      () =>
        new Promise((r) => {
          for (const c of conns) c.destroy();
          silent.close(() => r());
        }),
    );
    const mute = new ContainerdClient({ socketPath: quiet, timeoutMs: 500 });
    const t0 = Date.now();
    await assert.rejects(
      mute.version(),
      (e: unknown) => e instanceof InputError && /^CONTAINERD_(TIMEOUT|UNREACHABLE)$/.test(e.code) && !e.message.includes('\n'),
    );
    assert.ok(Date.now() - t0 < 5000);
    mute.close();

    const client = new ContainerdClient({ socketPath: sock });
    await assert.rejects(client.containers('bad namespace'), oneLine('CONTAINERD_NAMESPACE', /not a containerd namespace/));
    await assert.rejects(client.container('default', '../x'), oneLine('CONTAINERD_NAMESPACE', /container id/));
    client.close();
  } finally {
    for (const s of servers) await s();
    rmSync(dir, { recursive: true, force: true });
  }
});
