// "Log file cleared" on real processes: the real program's openat and exec
// probes (bpftrace), the parser, the normaliser and the built-in rules. A
// shell creating a NEW log with `>` (a cron job's `cmd > /var/log/job.log`)
// opens it with O_TRUNC too, but the kernel marks that open as the file's
// creation (FMODE_CREATED): silent. The same `>` on an existing log with
// content, `: > log` and `truncate -s0 log` fire.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import type { SyscallEvent } from '../../../core/events/event.js';
import { Engine } from '../../../core/rules/engine.js';
import type { Ruleset } from '../../../core/rules/loader.js';
import { loadBuiltinRules } from '../../rules/load.js';
import type { BpftraceRunner } from './runner.js';
import { ebpfSkip, runProbes, sh, waitFor as until } from './bpftrace.test-helpers.js';

const skip = ebpfSkip(['truncate']);
const RULE = 'Log file cleared';

describe('log clearing, not log creation (real processes)', { skip, timeout: 240_000 }, () => {
  let runner: BpftraceRunner;
  let rules: Ruleset;
  const events: SyscallEvent[] = [];
  const log = (what: string) => `/var/log/vigil-${what}-${process.pid}.log`;
  const files = ['new', 'redirect', 'colon', 'truncate'].map(log);
  before(async () => {
    rules = (await loadBuiltinRules()).ruleset;
    for (const f of files) rmSync(f, { force: true });
    runner = await runProbes(/^(BEGIN|tracepoint:syscalls:sys_exit_openat|tracepoint:sched:sched_process_exec)/, {
      program: { execRepeatWindowMs: 0 },
      onEvent: (e) => void events.push(e),
    });
  });
  after(async () => {
    await runner?.stop();
    for (const f of files) rmSync(f, { force: true });
  });

  const shellOpen = (name: string) => () => events.find((e) => e.type === 'openat' && e.fd?.name === name && e.proc.name === 'sh');
  const rulesHit = (e: SyscallEvent) => new Engine(rules, { host: 'test', clock: () => Date.now() }).process(e).map((a) => a.rule);
  const existing = (f: string) => writeFileSync(f, 'Dec  7 20:00:00 host sshd[1]: Accepted password for root\n');

  it('a shell creating a new log with `>`: the open created the file, no alert', async () => {
    const f = log('new');
    sh(`echo x > ${f}`);
    const e = await until(f, shellOpen(f));
    assert.equal(e.fd?.created, true);
    assert.ok((Number(e.args.flags) & 0x200) !== 0, 'the open carries O_TRUNC');
    assert.ok(!rulesHit(e).includes(RULE), rulesHit(e).join(','));
  });

  for (const [what, script] of [
    ['redirect', 'echo x >'],
    ['colon', ':>'],
  ] as const) {
    it(`\`${script} log\` on an existing log with content fires`, async () => {
      const f = log(what);
      existing(f);
      sh(`${script} ${f}`);
      const e = await until(f, shellOpen(f));
      assert.equal(e.fd?.created, false);
      assert.ok(rulesHit(e).includes(RULE), rulesHit(e).join(','));
    });
  }

  it('`truncate -s0 log` fires (the exec)', async () => {
    const f = log('truncate');
    existing(f);
    sh(`truncate -s0 ${f}`);
    const e = await until(f, () => events.find((x) => x.type === 'execve' && x.proc.name === 'truncate' && x.proc.args?.includes(f)));
    assert.ok(rulesHit(e).includes(RULE), rulesHit(e).join(','));
  });
});
