import { test } from 'node:test';
import { ruleTester, exec } from '../../src/core/rules/index.js';
import { builtinFilesSync } from '../../src/node/rules/load.js';

const files = builtinFilesSync('drop-execute.yaml');
const dropped = (path: string, writer: string, over: Parameters<typeof exec>[1] = {}) =>
  exec(path, { container: {}, ...over, proc: { exeWriter: writer, ...over.proc } });

test('drop and execute', () => {
  ruleTester(files, {
    fires: [
      { type: 'container/malicious-program', rule: 'Drop and execute new binary in container', event: dropped('/tmp/x', 'curl') },
      { type: 'container/malicious-program', rule: 'Drop and execute new binary in container', event: dropped('/dev/shm/.k/kworker', 'cp') },
      // Outside the staging directories too: the file is new, wherever it is.
      { type: 'container/malicious-program', rule: 'Drop and execute new binary in container', event: dropped('/usr/local/bin/helper', 'wget') },
      // A dropper that names itself like a package manager's child (not the package manager).
      { type: 'container/malicious-program', rule: 'Drop and execute new binary in container', event: dropped('/tmp/d', 'dpkg\tx') },
      // On the host, wherever it was written: a home directory, /var/tmp, /opt.
      {
        type: 'malware/unclassified',
        rule: 'Drop and execute new binary on host',
        event: exec('/home/dev/.local/share/helper', { proc: { exeWriter: 'curl' } }),
      },
      { type: 'malware/unclassified', rule: 'Drop and execute new binary on host', event: exec('/opt/agent/update', { proc: { exeWriter: 'wget' } }) },
      { type: 'malware/unclassified', rule: 'Drop and execute new binary on host', event: exec('/var/tmp/x', { proc: { exeWriter: 'cp' } }) },
    ],
    silent: [
      // Not new: the image's own programs.
      { event: exec('/usr/bin/id', { container: {} }) },
      // Installed by the package manager, or built by the compiler in a build container.
      { event: dropped('/usr/bin/jq', 'dpkg') },
      { event: dropped('/usr/local/bin/black', 'pip') },
      { event: dropped('/src/a.out', 'ld') },
      { event: dropped('/src/app', 'link') },
      { event: dropped('/src/target/debug/app', 'rustc') },
      // A package manager's maintainer script running what it just unpacked.
      { event: dropped('/usr/lib/x/postinst-helper', 'tar', { parents: ['dpkg'] }) },
      // On the host: built, installed, or not new.
      { event: exec('/home/dev/proj/a.out', { proc: { exeWriter: 'collect2' } }) },
      { event: exec('/usr/bin/jq', { proc: { exeWriter: 'dpkg' } }) },
      { event: exec('/root/.pyenv/versions/3.12.1/bin/python3.12', { proc: { exeWriter: 'cp' }, parents: ['pip'] }) },
      { event: exec('/usr/bin/id') },
    ],
  });
});
