// Hard links through the same path logic as opens, on real processes: the
// real program's link probes (bpftrace), the parser, the normaliser and the
// built-in rules. Both names of `ln` are placed whatever form the process
// used -- relative to a cwd inside /etc (the `ln` has exited by the time
// Node reads the record: the kernel's chain of the cwd places it), relative
// to a dirfd (linkat), absolute with `..` -- and raise the rule of that path:
// a new name under /etc/cron.d is a scheduled task, under /usr/bin a
// binary-directory write, a new name for /etc/shadow password theft. The
// benign twin: hard links inside a work directory raise nothing.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SyscallEvent } from '../../../core/events/event.js';
import { Engine } from '../../../core/rules/engine.js';
import type { Ruleset } from '../../../core/rules/loader.js';
import { loadBuiltinRules } from '../../rules/load.js';
import type { BpftraceRunner } from './runner.js';
import { ebpfSkip, runProbes, sh, waitFor as until } from './bpftrace.test-helpers.js';
import { CHAIN_MAX_LEVELS } from './program.js';

const skip = ebpfSkip();

describe('hard links by any path (real processes)', { skip, timeout: 240_000 }, () => {
  let runner: BpftraceRunner;
  let rules: Ruleset;
  const events: SyscallEvent[] = [];
  const tag = `vigil-lk-${process.pid}`;
  const scratch = mkdtempSync('/opt/vlk-');
  const created: string[] = [];
  before(async () => {
    rules = (await loadBuiltinRules()).ruleset;
    runner = await runProbes(/^(BEGIN|tracepoint:syscalls:sys_enter_link)/, { onEvent: (e) => void events.push(e) });
  });
  after(async () => {
    await runner?.stop();
    for (const f of created) rmSync(f, { force: true });
    rmSync(scratch, { recursive: true, force: true });
  });

  const linked = (newpath: string) => () => events.find((e) => e.type === 'linkat' && e.args.newpath === newpath);
  const alertTypes = (e: SyscallEvent) => new Engine(rules, { host: 'test', clock: () => Date.now() }).process(e).map((a) => a.type);

  it('a new name under /etc/cron.d given relative to a cwd inside /etc (ln has exited)', async () => {
    const src = join(scratch, 'job');
    writeFileSync(src, '* * * * * root true\n');
    const file = `/etc/cron.d/${tag}`;
    created.push(file);
    sh(`cd /etc && ln ${src} cron.d/${tag}`);
    const e = await until(file, linked(file));
    assert.equal(e.args.oldpath, src);
    assert.equal(e.fd?.name, file);
    assert.ok(alertTypes(e).includes('command/scheduled-task'), alertTypes(e).join(','));
  });

  it('a new name under /usr/bin through a dirfd (linkat(olddirfd, old, newdirfd, new))', async () => {
    const src = join(scratch, 'tool');
    writeFileSync(src, '#!/bin/sh\n');
    const file = `/usr/bin/${tag}`;
    created.push(file);
    // perl's link() takes paths only; python would need the python3 package: a dirfd through Perl's syscall().
    sh(
      `perl -e 'use Fcntl; require "syscall.ph"; sysopen(my $o, "${scratch}", O_RDONLY | O_DIRECTORY) or die; sysopen(my $n, "/usr/bin", O_RDONLY | O_DIRECTORY) or die; ` +
        `my ($a, $b) = ("tool", "${tag}"); syscall(&SYS_linkat, fileno($o), $a, fileno($n), $b, 0) == 0 or die "linkat: $!"'`,
    );
    const e = await until(file, linked(file));
    assert.equal(e.args.oldpath, src);
    assert.ok(alertTypes(e).includes('system/key-file-change'), alertTypes(e).join(','));
  });

  it('a new name for /etc/shadow given as a relative source, and through `..`', async () => {
    const a = join(scratch, 's1');
    const b = join(scratch, 's2');
    sh(`cd /etc && ln shadow ${a} && ln /etc/../etc//shadow ${b}`);
    for (const p of [a, b]) {
      const e = await until(p, linked(p));
      assert.equal(e.args.oldpath, '/etc/shadow');
      assert.ok(alertTypes(e).includes('user/password-theft'), `${p}: ${alertTypes(e).join(',')}`);
    }
  });

  it('benign twin: hard links inside a work directory raise nothing (deep, long names, ln gone: placed by the kernel)', async () => {
    const w = join(scratch, 'a-work-directory-name-longer-than-16-bytes', 'x', 'y', 'z');
    sh(`mkdir -p ${w}/sub && cd ${w} && echo x > a && ln a b && cd sub && ln ../a c`);
    for (const [oldpath, newpath] of [
      [`${w}/a`, `${w}/b`],
      [`${w}/a`, `${w}/sub/c`],
    ]) {
      const x = await until(newpath, linked(newpath!));
      assert.equal(x.args.oldpath, oldpath);
      assert.deepEqual(alertTypes(x), [], newpath);
    }
  });

  it(`limits: a name relative to a directory ${CHAIN_MAX_LEVELS} levels deep is placed, one level more is not (ln gone)`, async () => {
    // /opt/vlk-XXXXXX is two levels.
    const deep = [scratch, ...Array.from({ length: CHAIN_MAX_LEVELS - 2 }, (_, i) => `l${i}`)].join('/');
    sh(`mkdir -p ${deep}/more && cd ${deep} && echo x > a && ln a b && cd more && ln ../a deeper-${tag}`);
    const x = await until(`${deep}/b`, linked(`${deep}/b`));
    assert.equal(x.args.oldpath, `${deep}/a`);
    // One level more: the kernel does not place it. Node falls back to /proc (the ln may be gone) or the
    // cwd cached at the ln's exec (its shell's, before the cd): the event still comes, placed or not.
    const y = await until('the deeper link', () => events.find((e) => e.type === 'linkat' && String(e.args.newpath).endsWith(`deeper-${tag}`)));
    assert.equal(y.args.oldpath === `${deep}/a`, y.args.newpath === `${deep}/more/deeper-${tag}`, 'placed by /proc (both names) or not at all');
  });
});
