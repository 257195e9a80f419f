// A file created without an exec bit, `chmod +x`'ed, then run -- the drop the
// openat probe cannot see (it remembers creations that ask for an exec bit) --
// on real processes: the real program's chmod and exec probes (bpftrace),
// the parser, the normaliser and the built-in rules. The benign twins: a
// build tool's chmod (make running `chmod +x` on what it wrote) and the
// chmod of a file that is not new raise nothing.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SyscallEvent } from '../../../core/events/event.js';
import { Engine } from '../../../core/rules/engine.js';
import type { Ruleset } from '../../../core/rules/loader.js';
import { loadBuiltinRules } from '../../rules/load.js';
import type { BpftraceRunner } from './runner.js';
import { ebpfSkip, runProbes, sh, waitFor as until } from './bpftrace.test-helpers.js';

const skip = ebpfSkip(['make']);

describe('chmod +x of a new file, then exec (real processes)', { skip, timeout: 240_000 }, () => {
  let runner: BpftraceRunner;
  let rules: Ruleset;
  const events: SyscallEvent[] = [];
  // Not /tmp or /var/tmp (running from there raises alerts of its own): /opt, as a dropper outside them.
  const dir = mkdtempSync('/opt/vigil-cx-');
  before(async () => {
    rules = (await loadBuiltinRules()).ruleset;
    runner = await runProbes(/^(BEGIN|tracepoint:sched:sched_process_exec|tracepoint:syscalls:sys_enter_f?chmod)/, {
      program: { execRepeatWindowMs: 0 },
      onEvent: (e) => void events.push(e),
    });
  });
  after(async () => {
    await runner?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  // `./payload` is placed by the kernel's cwd at its exec, whether or not the process is still there.
  const ran = (path: string) => () => events.find((e) => e.type === 'execve' && e.proc.exepath === path);
  const alertTypes = (e: SyscallEvent) => new Engine(rules, { host: 'test', clock: () => Date.now() }).process(e).map((a) => a.type);

  it('chmod +x (fchmodat, relative to the cwd) of a file just written, then run: a drop named after the chmod', async () => {
    const x = join(dir, 'payload');
    sh(`cd ${dir} && cat /bin/true > payload && chmod +x payload && ./payload`);
    const e = await until(x, ran(x));
    assert.equal(e.proc.exeWriter, 'chmod');
    assert.ok(alertTypes(e).includes('malware/unclassified'), alertTypes(e).join(','));
  });

  it('fchmod (perl chmod on a handle) of a file just written, then run', async () => {
    const x = join(dir, 'payload2');
    sh(
      `perl -e 'open(my $f, ">", "${x}") or die; print $f do { local $/; open(my $t, "<", "/bin/true") or die; <$t> }; chmod 0755, $f or die; close $f' && ${x}`,
    );
    const e = await until(x, ran(x));
    assert.equal(e.proc.exeWriter, 'perl');
    assert.ok(alertTypes(e).includes('malware/unclassified'), alertTypes(e).join(','));
  });

  it('benign twin: make writes a tool, chmods it and runs it', async () => {
    const b = join(dir, 'build');
    sh(`mkdir -p ${b}`);
    // Run by its relative name, as a real make would, from a cwd under /tmp (where a CI clone lives):
    // placed by the kernel's cwd at the exec (make's chdir for -C), not a cwd cached before it.
    writeFileSync(join(b, 'Makefile'), 'all:\n\tcat /bin/true > tool && chmod +x tool && ./tool\n');
    const r = spawnSync('make', ['-s', '-C', b], { cwd: '/tmp', encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const e = await until(`${b}/tool`, ran(join(b, 'tool')));
    assert.equal(e.proc.exeWriter, undefined);
    // Named by rule and exe path, so a failure says which rule fired on what.
    const fired = new Engine(rules, { host: 'test', clock: () => Date.now() }).process(e).map((a) => `${a.type} (${a.rule}) exepath=${e.proc.exepath}`);
    assert.deepEqual(fired, []);
  });

  it('benign twin: chmod +x of a file that is not new', async () => {
    const x = join(dir, 'old');
    sh(`cat /bin/true > ${x} && touch -d '2 hours ago' ${x} && chmod +x ${x} && ${x}`);
    const e = await until(x, ran(x));
    assert.equal(e.proc.exeWriter, undefined);
    assert.deepEqual(alertTypes(e), []);
  });
});
