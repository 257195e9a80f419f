// An exec by a relative name (`./x`, `make -C dir` running `./tool`, `(cd d; ./y)`, fchdir then
// exec) placed by the cwd the kernel resolved it in, on real processes: the real program's exec
// probes (bpftrace), the parser, the normaliser and the built-in rules. The normaliser reads an
// empty /proc, so every process is "gone" before Node could read it (the case CI found: the cwd
// cached at the parent's exec missed a later chdir): only the kernel's chain places the exec.
// Firing twins run from /tmp (the staging-location rule), benign twins from /opt, each started
// from a cwd on the other side so a stale cwd would decide wrongly. The chain's limits are tested
// at their boundaries (CHAIN_MAX_LEVELS levels, CHAIN_NAME_MAX bytes), and across a mount.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SyscallEvent } from '../../../core/events/event.js';
import { Engine } from '../../../core/rules/engine.js';
import type { Ruleset } from '../../../core/rules/loader.js';
import { loadBuiltinRules } from '../../rules/load.js';
import { ProcCache, ProcFs } from '../procfs.js';
import { CHAIN_MAX_LEVELS, CHAIN_NAME_MAX } from './program.js';
import type { BpftraceRunner } from './runner.js';
import { ebpfSkip, runProbes, waitFor } from './bpftrace.test-helpers.js';

const skip = ebpfSkip(['make']);

describe('exec by a relative name, placed by the kernel cwd (real processes, /proc unread)', { skip, timeout: 300_000 }, () => {
  // Firing twins under /tmp, benign ones under /opt; /proc read from an empty directory.
  const [tmp, opt, noProc] = ['/tmp/vigil-cwd-', '/opt/vigil-cwd-', '/tmp/vigil-noproc-'].map((p) => mkdtempSync(p)) as [string, string, string];
  const events: SyscallEvent[] = [];
  let runner: BpftraceRunner;
  let rules: Ruleset;
  let mounted: string | undefined;
  before(async () => {
    rules = (await loadBuiltinRules()).ruleset;
    runner = await runProbes(/^(BEGIN|interval:|tracepoint:sched:sched_process_(exec|exit))/, {
      normaliser: { procs: new ProcCache(new ProcFs(noProc)) },
      onEvent: (e) => void events.push(e),
    });
  });
  after(async () => {
    await runner?.stop();
    if (mounted) spawnSync('umount', [mounted]);
    for (const d of [tmp, opt, noProc]) rmSync(d, { recursive: true, force: true });
  });

  /** A copy of /bin/true named `name` in `dir` (made with its parents). */
  const tool = (dir: string, name: string) => {
    mkdirSync(dir, { recursive: true });
    copyFileSync('/bin/true', join(dir, name));
    spawnSync('chmod', ['755', join(dir, name)]);
  };
  /** Runs `script` with sh from `cwd`; asserts it succeeded. */
  const run = (cwd: string, script: string) => {
    const r = spawnSync('sh', ['-c', script], { cwd, encoding: 'utf8' });
    assert.equal(r.status, 0, `${script}: ${r.stderr}`);
  };
  /** The exec of `./name` (argv[0] as given). */
  const execOf = (name: string) => waitFor(`exec of ./${name}`, () => events.find((e) => e.type === 'execve' && e.proc.args?.[0] === `./${name}`));
  const fired = (e: SyscallEvent) =>
    new Engine(rules, { host: 'test', clock: () => Date.now() }).process(e).map((a) => `${a.type} (${a.rule}) exepath=${e.proc.exepath}`);

  it('cd into /tmp, then ./x: placed under /tmp, the staging-location rule fires', async () => {
    tool(join(tmp, 'stage'), 'x-cd');
    run(opt, `cd ${tmp}/stage && ./x-cd`);
    const e = await execOf('x-cd');
    assert.equal(e.proc.exepath, `${tmp}/stage/x-cd`);
    assert.equal(e.proc.cwd, `${tmp}/stage`);
    assert.ok(
      fired(e).some((f) => f.startsWith('malware/unclassified (Execution from temporary or hidden directory)')),
      fired(e).join('; '),
    );
  });

  it('benign twin: cd out of /tmp into /opt, then ./x: placed under /opt, nothing fires', async () => {
    tool(join(opt, 'work'), 'x-cd-ok');
    run(tmp, `cd ${opt}/work && ./x-cd-ok`);
    const e = await execOf('x-cd-ok');
    assert.equal(e.proc.exepath, `${opt}/work/x-cd-ok`);
    assert.deepEqual(fired(e), []);
  });

  it('a subshell (cd d; ./y) and a relative name with a directory (sub/../y)', async () => {
    tool(join(tmp, 'sub'), 'x-sub');
    run(opt, `(cd ${tmp}; ./sub/../sub/x-sub)`);
    const e = await waitFor('exec of ./sub/../sub/x-sub', () => events.find((x) => x.type === 'execve' && x.proc.args?.[0] === './sub/../sub/x-sub'));
    assert.equal(e.proc.exepath, `${tmp}/sub/x-sub`);
    assert.ok(
      fired(e).some((f) => f.startsWith('malware/unclassified')),
      fired(e).join('; '),
    );
  });

  it('make -C dir running ./tool: placed in dir (firing in /tmp, benign in /opt)', async () => {
    for (const [base, name, from] of [
      [tmp, 'tool-mk', opt],
      [opt, 'tool-mk-ok', tmp],
    ] as const) {
      const b = join(base, `build-${name}`);
      mkdirSync(b, { recursive: true });
      writeFileSync(join(b, 'Makefile'), `all:\n\tcat /bin/true > ${name} && chmod +x ${name} && ./${name}\n`);
      run(from, `make -s -C ${b}`);
      const e = await execOf(name);
      assert.equal(e.proc.exepath, `${b}/${name}`);
      if (base === opt) assert.deepEqual(fired(e), []);
      else
        assert.ok(
          fired(e).some((f) => f.startsWith('malware/unclassified')),
          fired(e).join('; '),
        );
    }
  });

  it('fchdir (perl chdir on a directory handle), then exec ./x', async () => {
    tool(join(tmp, 'fd'), 'x-fchdir');
    tool(join(opt, 'fd'), 'x-fchdir-ok');
    run(opt, `perl -e 'opendir(my $d, "${tmp}/fd") or die; chdir($d) or die "fchdir: $!"; exec "./x-fchdir" or die'`);
    run(tmp, `perl -e 'opendir(my $d, "${opt}/fd") or die; chdir($d) or die "fchdir: $!"; exec "./x-fchdir-ok" or die'`);
    const e = await execOf('x-fchdir');
    assert.equal(e.proc.exepath, `${tmp}/fd/x-fchdir`);
    assert.ok(
      fired(e).some((f) => f.startsWith('malware/unclassified')),
      fired(e).join('; '),
    );
    const ok = await execOf('x-fchdir-ok');
    assert.equal(ok.proc.exepath, `${opt}/fd/x-fchdir-ok`);
    assert.deepEqual(fired(ok), []);
  });

  it('across a mount (a tmpfs under /opt): placed through the mountpoint', async () => {
    const m = join(opt, 'mnt');
    mkdirSync(m);
    const r = spawnSync('mount', ['-t', 'tmpfs', 'vigil-cwd', m]);
    assert.equal(r.status, 0, `mount: ${r.stderr}`);
    mounted = m;
    tool(join(m, 'in'), 'x-mnt');
    run(tmp, `cd ${m}/in && ./x-mnt`);
    const e = await execOf('x-mnt');
    assert.equal(e.proc.exepath, `${m}/in/x-mnt`);
  });

  it(`limits: ${CHAIN_MAX_LEVELS} levels and ${CHAIN_NAME_MAX}-byte names are placed, one more is not`, async () => {
    // /tmp/vigil-cwd-XXXXXX is two levels: directories below it up to the limit, then one more.
    const deep = [tmp, ...Array.from({ length: CHAIN_MAX_LEVELS - 2 }, (_, i) => `d${i}`)].join('/');
    tool(deep, 'x-deep');
    tool(join(deep, 'one-more'), 'x-deeper');
    const long = join(tmp, 'n'.repeat(CHAIN_NAME_MAX));
    tool(long, 'x-long');
    tool(join(tmp, 'n'.repeat(CHAIN_NAME_MAX + 1)), 'x-longer');
    run(opt, `cd ${deep} && ./x-deep && cd one-more && ./x-deeper && cd ${long} && ./x-long && cd ../${'n'.repeat(CHAIN_NAME_MAX + 1)} && ./x-longer`);
    assert.equal((await execOf('x-deep')).proc.exepath, `${deep}/x-deep`);
    assert.equal((await execOf('x-long')).proc.exepath, `${long}/x-long`);
    // Beyond the limits the kernel does not place it, and /proc (here empty) cannot either: the name stays as given.
    assert.equal((await execOf('x-deeper')).proc.exepath, './x-deeper');
    assert.equal((await execOf('x-longer')).proc.exepath, './x-longer');
  });
});
