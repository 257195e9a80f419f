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
  const alertsOf = (e: SyscallEvent) => new Engine(rules, { host: 'test', clock: () => Date.now() }).process(e);
  const alertTypes = (e: SyscallEvent) => alertsOf(e).map((a) => a.type);

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
    const fired = alertsOf(e).map((a) => `${a.type} (${a.rule}) exepath=${e.proc.exepath}`);
    assert.deepEqual(fired, []);
  });

  it('benign twin: chmod +x of a file that is not new', async () => {
    const x = join(dir, 'old');
    sh(`cat /bin/true > ${x} && touch -d '2 hours ago' ${x} && chmod +x ${x} && ${x}`);
    const e = await until(x, ran(x));
    assert.equal(e.proc.exeWriter, undefined);
    assert.deepEqual(alertTypes(e), []);
  });

  // A set-id bit set by the chmod system call itself (no `chmod` command line to match), new file or not.
  const chmodOf = (path: string) => () => events.find((e) => ['chmod', 'fchmod', 'fchmodat'].includes(e.type) && e.args.filename === path);
  const setidFired = (e: SyscallEvent) =>
    alertsOf(e)
      .filter((a) => a.type === 'system/file-privilege-escalation')
      .map((a) => a.rule);

  it('a set-id bit by the chmod system call (perl chmod 04755, and on a handle: fchmod) is a chmod event the set-id rule fires on', async () => {
    for (const [name, code] of [
      ['suid-path', (x: string) => `chmod 04755, "${x}" or die`],
      ['sgid-handle', (x: string) => `open(my $f, "<", "${x}") or die; chmod 02755, $f or die`],
    ] as const) {
      const x = join(dir, name);
      sh(`cp /bin/true ${x} && touch -d '2 hours ago' ${x} && perl -e '${code(x)}'`);
      const e = await until(x, chmodOf(x));
      assert.equal(e.type, name === 'sgid-handle' ? 'fchmod' : 'chmod');
      assert.equal(e.proc.name, 'perl');
      assert.deepEqual(setidFired(e), ['Setuid or setgid bit set on a file'], `${name}: ${JSON.stringify(e.args)}`);
    }
  });

  it('benign twin: a chmod without a set-id bit, and a set-id chmod refused by the kernel, raise no set-id alert', async () => {
    const x = join(dir, 'plain');
    sh(`cp /bin/true ${x} && perl -e 'chmod 0755, "${x}" or die'`);
    // Refused: nobody may not chmod root's file (EPERM); the file keeps its mode, so no event claims it took effect.
    const y = join(dir, 'refused');
    sh(`cp /bin/true ${y} && chmod 0755 ${dir} ${y} && setpriv --reuid=65534 --regid=65534 --clear-groups perl -e 'chmod 04755, "${y}"; exit 0'`);
    // A marker chmod after both, so the probes have delivered everything before it.
    const m = join(dir, 'marker');
    sh(`cp /bin/true ${m} && perl -e 'chmod 04755, "${m}" or die'`);
    await until(m, chmodOf(m));
    for (const p of [x, y]) {
      const hits = events.filter((e) => e.args.filename === p).flatMap(setidFired);
      assert.deepEqual(hits, [], p);
    }
  });
});
