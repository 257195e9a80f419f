// openat2 (syscall 437) on real processes: the real program's open exit
// probes (bpftrace), the parser, the normaliser and the built-in rules. A
// read of /etc/shadow through openat2 (flags in its struct open_how) is an
// `openat2` event with those flags and raises the password-theft rule; a
// write through openat2 carries O_TRUNC and the kernel's creation bit.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import type { SyscallEvent } from '../../../core/events/event.js';
import { Engine } from '../../../core/rules/engine.js';
import type { Ruleset } from '../../../core/rules/loader.js';
import { loadBuiltinRules } from '../../rules/load.js';
import type { BpftraceRunner } from './runner.js';
import { ebpfSkip, runProbes, sh, waitFor as until } from './bpftrace.test-helpers.js';

const skip = ebpfSkip(['perl']);

/** A perl one-liner calling openat2(AT_FDCWD, path, {flags, mode}, 24) (a mode only with O_CREAT: openat2 rejects it otherwise). */
const openat2 = (path: string, flags: number) =>
  `perl -e 'my $p = "${path}"; my $h = pack("QQQ", ${flags}, ${flags & 0o100 ? 0o644 : 0}, 0); my $fd = syscall(437, -100, $p, $h, 24); die "openat2: $!" if $fd < 0'`;

describe('openat2 (real processes)', { skip, timeout: 240_000 }, () => {
  let runner: BpftraceRunner;
  let rules: Ruleset;
  const events: SyscallEvent[] = [];
  const log = `/var/log/vigil-openat2-${process.pid}.log`;
  before(async () => {
    rules = (await loadBuiltinRules()).ruleset;
    runner = await runProbes(/^(BEGIN|tracepoint:syscalls:sys_exit_openat)/, { program: { openat2: true }, onEvent: (e) => void events.push(e) });
  });
  after(async () => {
    await runner?.stop();
    rmSync(log, { force: true });
  });

  const opened = (name: string) => () => events.find((e) => e.type === 'openat2' && e.fd?.name === name && e.proc.name === 'perl');
  const alertTypes = (e: SyscallEvent) => new Engine(rules, { host: 'test', clock: () => Date.now() }).process(e).map((a) => a.type);

  it('a read of /etc/shadow through openat2 is seen and raises password theft', async () => {
    sh(openat2('/etc/shadow', 0));
    const e = await until('/etc/shadow', opened('/etc/shadow'));
    assert.equal(e.args.flags, 0);
    assert.ok(e.fd?.num !== undefined && e.fd.num >= 0);
    assert.ok(alertTypes(e).includes('user/password-theft'), alertTypes(e).join(','));
  });

  it('flags come from struct open_how: O_WRONLY|O_CREAT|O_TRUNC of a new log, created by that open', async () => {
    rmSync(log, { force: true });
    sh(openat2(log, 0o1101));
    const e = await until(log, opened(log));
    assert.equal(e.args.flags, 0o1101);
    assert.equal(e.fd?.created, true);
  });
});
