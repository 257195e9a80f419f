// Valid samples shared by the property tests (*.fuzz.test.ts) and the
// coverage-guided fuzzer's targets (coverage-targets.ts).
import type { FileSpec } from '../helpers/image-builder.js';

/** A layer with every entry kind a reader must handle: dirs, a long name, links, whiteouts, a device, a setuid file. */
export const LAYER_FILES: FileSpec[] = [
  { path: 'etc/', type: 'dir' },
  { path: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.19.1\n' },
  { path: 'etc/link', type: 'symlink', linkname: 'os-release' },
  { path: 'etc/hard', type: 'hardlink', linkname: 'etc/os-release' },
  { path: `usr/lib/${'long-directory-name/'.repeat(8)}file.so`, content: Buffer.alloc(700, 0x41) },
  { path: 'etc/.wh.gone' },
  { path: 'var/.wh..wh..opq' },
  { path: 'dev/null', type: 'char' },
  { path: 'usr/bin/sudo', content: 'x', mode: 0o4755 },
];

export const HASH = '$6$Qx1saltsalt$HASHhashHASHhashHASHhashHASHhashHASHhashHASHhashHASHhashHASHhashHASHhashHASHhash01';
export const PASSWD = 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n_apt:x:42:65534::/nonexistent:/usr/sbin/nologin\n';
export const SHADOW = `root:${HASH}:19675:0:99999:7:::\ndaemon:*:19675:0:99999:7:::\n_apt:*:19675:0:99999:7:::\n`;
export const GROUP = 'root:x:0:\ndaemon:x:1:\nsudo:x:27:alice,bob\n';
export const TCP =
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n' +
  '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1193 1 000000004fa3aca6 100 0 0 10 0\n' +
  '   1: 0100007F:A1B2 0100007F:0D05 01 00000000:00000000 00:00000000 00000000     0        0 5001 1 0000000000000000 20 4 30 10 -1\n';
export const STAT =
  '4242 (kw) R 1 4242 4242 0 -1 4194304 100 0 0 0 950 12 0 0 20 0 1 0 5000 10000000 300 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n';
