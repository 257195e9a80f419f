// Writes under protected directories whatever path leads there, on real
// processes: the real program's openat probes (bpftrace), the parser, the
// normaliser and the built-in rules. A relative name from a cwd inside /etc,
// a dirfd (GNU tar -C), and a bind mount of /etc are named by the file's
// real path and raise the rule of that path; writes elsewhere are not even
// reported by the kernel.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SyscallEvent } from '../../../core/events/event.js';
import { Engine } from '../../../core/rules/engine.js';
import type { Ruleset } from '../../../core/rules/loader.js';
import { loadBuiltinRules } from '../../rules/load.js';
import type { BpftraceRunner } from './runner.js';
import { rootDevice } from './program.js';
import { ebpfSkip, runProbes, sh, waitFor as until } from './bpftrace.test-helpers.js';

const skip = ebpfSkip();

describe('writes under protected directories by any path (real processes)', { skip, timeout: 240_000 }, () => {
  let runner: BpftraceRunner;
  let rules: Ruleset;
  const events: SyscallEvent[] = [];
  const tag = `vigil-op-${process.pid}`;
  const scratch = mkdtempSync('/var/tmp/vigil-open-paths-');
  const created: string[] = [];
  before(async () => {
    rules = (await loadBuiltinRules()).ruleset;
    const rootDev = rootDevice();
    runner = await runProbes(/^(BEGIN|tracepoint:syscalls:sys_exit_openat)/, {
      normaliser: rootDev !== undefined ? { rootDev } : {},
      onEvent: (e) => void events.push(e),
    });
  });
  after(async () => {
    await runner?.stop();
    for (const f of created) rmSync(f, { force: true });
    spawnSync('umount', [join(scratch, 'bind')]);
    rmSync(scratch, { recursive: true, force: true });
  });

  const opened = (name: string) => () => events.find((e) => e.type === 'openat' && e.fd?.name === name);
  const alertTypes = (e: SyscallEvent) => new Engine(rules, { host: 'test', clock: () => Date.now() }).process(e).map((a) => a.type);

  it('a relative name from a cwd inside /etc/cron.d (the writer has exited)', async () => {
    const file = `/etc/cron.d/${tag}`;
    created.push(file);
    sh(`cd /etc/cron.d && touch ${tag}`);
    const e = await until(file, opened(file));
    assert.equal(e.args.name, file);
    assert.ok(alertTypes(e).includes('command/scheduled-task'));
  });

  it('a dirfd: tar -C /usr/lib extracts through openat(dirfd, name)', async () => {
    const file = `/usr/lib/${tag}.so`;
    created.push(file);
    writeFileSync(join(scratch, `${tag}.so`), 'x');
    sh(`tar -C ${scratch} -cf ${scratch}/p.tar ${tag}.so && tar -C /usr/lib -xf ${scratch}/p.tar`);
    const e = await until(file, opened(file));
    assert.ok(alertTypes(e).includes('system/key-file-change'));
  });

  it('a bind mount of /etc: named by the real path, the name used kept in evt.arg.name', async () => {
    const bind = join(scratch, 'bind');
    mkdirSync(bind);
    const file = `/etc/cron.d/${tag}-bm`;
    created.push(file);
    sh(`mount --bind /etc ${bind} && touch ${bind}/cron.d/${tag}-bm && umount ${bind}`);
    const e = await until(file, opened(file));
    assert.equal(e.args.name, `${bind}/cron.d/${tag}-bm`);
    assert.ok(alertTypes(e).includes('command/scheduled-task'));
  });

  it('writes elsewhere are not reported by the kernel', async () => {
    mkdirSync(join(scratch, 'etc'));
    sh(`cd ${scratch} && touch ${tag}-a && cd etc && touch ${tag}-b; touch /etc/hostname.${tag}.probe 2>/dev/null; rm -f /etc/hostname.${tag}.probe`);
    // The /etc write is a marker: once it arrives, the earlier writes would have too.
    await until('the marker', opened(`/etc/hostname.${tag}.probe`));
    assert.deepEqual(
      events.filter((e) => e.type === 'openat' && /-[ab]$/.test(String(e.args.name))).map((e) => e.args.name),
      [],
    );
  });
});
