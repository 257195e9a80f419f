// Releasing the resident pages of another process's shared libraries that it
// no longer uses: bpftrace's libLLVM and libclang, touched while it compiles
// its program at start and never again (about 70 MiB of its RSS). The kernel
// is asked to reclaim them at once with process_madvise(2) MADV_PAGEOUT
// (Linux 5.10+; the caller needs CAP_SYS_NICE and ptrace read access to the
// target). Node cannot make that syscall, so a few lines of perl do it
// (Debian's perl-base is essential: every Debian-based image has it). The
// pages are clean copies of files, so nothing is lost: one that is touched
// again is read back in. Pages another process maps too (a second bpftrace
// of the same library file) are left alone by the kernel.
import { spawn } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { readBounded } from './procfs.js';

/** A mapping of /proc/PID/maps. */
export interface Mapping {
  start: number;
  end: number;
  perms: string;
  path: string;
}

/** The libraries bpftrace uses only to compile its program (bpftrace 0.17: libLLVM-14, libclang-14; later ones libclang-cpp). */
export const COMPILER_LIBRARIES = /\/lib(?:LLVM|clang)[-.\w]*\.so(?:\.[\d.]+)?$/;

/** process_madvise advice (include/uapi/asm-generic/mman-common.h). */
const MADV_PAGEOUT = 21;
/** At most this many ranges in one call (UIO_MAXIOV is 1024). */
const MAX_RANGES = 256;
const MAPS_MAX_BYTES = 1024 * 1024;
const SMAPS_MAX_BYTES = 4 * 1024 * 1024;

/**
 * The syscall in perl: pidfd_open(2) then process_madvise(2), numbers shared by x86-64 and arm64 (434,
 * 440); arguments: pid, advice, then start and length of each range (decimal). Prints the bytes advised.
 */
const PERL = [
  'my ($pid, $advice, @r) = @ARGV;',
  'my $fd = syscall(434, $pid + 0, 0);',
  'if ($fd < 0) { print STDERR "pidfd_open: $!\\n"; exit 2 }',
  'my $iov = pack("Q*", map { $_ + 0 } @r);',
  'my $n = syscall(440, $fd, $iov, @r / 2, $advice + 0, 0);',
  'if ($n < 0) { print STDERR "process_madvise: $!\\n"; exit 3 }',
  'print "$n\\n";',
].join(' ');

/** The file-backed, read-only mappings of `mapsText` (a /proc/PID/maps) whose file matches `file`. */
export function readOnlyFileMappings(mapsText: string, file: RegExp): Mapping[] {
  const out: Mapping[] = [];
  for (const line of mapsText.split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) \S+ \S+ \d+\s+(\/.*)$/.exec(line);
    if (!m) continue;
    const [, s, e, perms, path] = m as unknown as [string, string, string, string, string];
    // Writable mappings hold the library's relocated data (anonymous copies once written): not ours to drop.
    if (perms[1] === 'w' || !file.test(path)) continue;
    out.push({ start: parseInt(s, 16), end: parseInt(e, 16), perms, path });
  }
  return out;
}

/** What the matching mappings hold resident, in KiB. */
export interface Resident {
  rss: number;
  /** File-backed pages (the rest are anonymous copies: a library's relocated read-only data). */
  file: number;
  /** File-backed pages only this process maps (the kernel reclaims only those). */
  privateFile: number;
}

/** Resident KiB of the mappings of `smapsText` (a /proc/PID/smaps) whose file matches `file`. */
export function residentKiB(smapsText: string, file: RegExp): Resident {
  const r: Resident = { rss: 0, file: 0, privateFile: 0 };
  let inside = false;
  for (const line of smapsText.split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S{4} \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (head) {
      inside = file.test(head[1] ?? '');
      continue;
    }
    if (!inside) continue;
    const f = /^(Rss|Anonymous|Private_Clean):\s+(\d+) kB/.exec(line);
    if (!f) continue;
    const kib = Number(f[2]);
    if (f[1] === 'Rss') {
      r.rss += kib;
      r.file += kib;
    } else if (f[1] === 'Anonymous') r.file -= kib;
    else r.privateFile += kib;
  }
  return r;
}

export interface PageOutResult {
  /** What the matching mappings held resident before and after. */
  before: Resident;
  after: Resident;
  /** Bytes the kernel was advised about. */
  advised: number;
}

export interface PageOutOptions {
  /** The perl binary (default: perl on the PATH). */
  perl?: string;
  /** Called with the helper's pid as soon as it runs. */
  onHelper?: (pid: number) => void;
  /** Pids the sensors do not report: the helper's is in it from its start until `ignoreMs` after it ended (its records arrive late). */
  ignore?: Set<number>;
  ignoreMs?: number;
  timeoutMs?: number;
  proc?: string;
}

/**
 * Asks the kernel to reclaim the resident pages of `pid`'s read-only mappings of files matching `file`.
 * Resolves with the resident sizes before and after; rejects with a one-line Error when it cannot (no
 * perl, an old kernel, no CAP_SYS_NICE, the process gone).
 */
export async function pageOutFiles(pid: number, file: RegExp, o: PageOutOptions = {}): Promise<PageOutResult> {
  if (process.platform !== 'linux' || (process.arch !== 'x64' && process.arch !== 'arm64'))
    throw new Error(`page-out: not supported on ${process.platform}/${process.arch}`);
  const proc = o.proc ?? '/proc';
  const maps = readBounded(`${proc}/${pid}/maps`, MAPS_MAX_BYTES);
  if (maps === undefined) throw new Error(`page-out: cannot read ${proc}/${pid}/maps`);
  const ranges = readOnlyFileMappings(maps, file).slice(0, MAX_RANGES);
  const resident = () => residentKiB(readBounded(`${proc}/${pid}/smaps`, SMAPS_MAX_BYTES) ?? '', file);
  const before = resident();
  if (ranges.length === 0) return { before, after: before, advised: 0 };
  const args = ['-e', PERL, String(pid), String(MADV_PAGEOUT), ...ranges.flatMap((r) => [String(r.start), String(r.end - r.start)])];
  let helper: number | undefined;
  const advised = await new Promise<number>((resolve, reject) => {
    const child = spawn(o.perl ?? 'perl', args, { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    helper = child.pid;
    if (helper !== undefined) {
      o.ignore?.add(helper);
      o.onHelper?.(helper);
    }
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out = (out + c).slice(-256)));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err = (err + c).slice(-512)));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 10_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`page-out: cannot run perl: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const n = Number(out.trim());
      if (code === 0 && Number.isFinite(n)) resolve(n);
      else reject(new Error(`page-out: ${err.trim().split('\n').pop() || `perl exited (${code ?? signal})`}`));
    });
  }).finally(() => {
    const ignore = o.ignore;
    const h = helper;
    if (ignore && h !== undefined) setTimeout(() => ignore.delete(h), o.ignoreMs ?? 10_000).unref();
  });
  return { before, after: resident(), advised };
}

/**
 * This process's own executable (node): the pages only its start touched (the start-up snapshot, the
 * module loader, ICU's data) go back to the kernel; the hot ones (V8's builtins, the interpreter) fault
 * back in within seconds. Pages other node processes of the host map too are kept by the kernel.
 * `ignore` gets the helper's pid (the sensors do not report it) until a while after it ran.
 */
export async function pageOutOwnExecutable(ignore: Set<number>, o: { helperIgnoreMs?: number } = {}): Promise<PageOutResult> {
  const exe = readlinkSync('/proc/self/exe');
  return pageOutFiles(process.pid, new RegExp(`^${exe.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`), {
    ignore,
    ...(o.helperIgnoreMs !== undefined ? { ignoreMs: o.helperIgnoreMs } : {}),
  });
}
