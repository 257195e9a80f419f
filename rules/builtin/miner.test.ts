import { test } from 'node:test';
import { ruleTester, exec } from '../../src/core/rules/index.js';
import { builtinFilesSync } from '../../src/node/rules/load.js';

const files = builtinFilesSync('miner.yaml');

test('miner and malicious-program rules', () => {
  ruleTester(files, {
    fires: [
      { type: 'container/malicious-program', rule: 'Crypto miner in container', event: exec('/opt/xmrig --donate-level 1', { container: {} }) },
      {
        type: 'container/malicious-program',
        rule: 'Crypto miner in container',
        event: exec('/usr/bin/java -o stratum+tcp://pool.minexmr.com:4444 -u wallet', { proc: { name: 'java' }, container: {} }),
      },
      { type: 'container/malicious-program', rule: 'Known malware in container', event: exec('/tmp/kdevtmpfsi', { container: {} }) },
      { type: 'malware/unclassified', rule: 'Crypto miner on host', event: exec('/usr/local/bin/minerd -a cryptonight') },
      // Regression: the literal `-o stratum+tcp` (no ://) was missed.
      { type: 'malware/unclassified', rule: 'Crypto miner on host', event: exec(['/tmp/m', '-o', 'stratum+tcp', '-u', 'x']) },
      { type: 'container/malicious-program', rule: 'Crypto miner in container', event: exec(['/opt/app', '--url=stratum+ssl', 'pool:443'], { container: {} }) },
      // Regression (found by the rtexplore checks): URL schemes are case-insensitive, the miner accepts STRATUM+TCP://.
      {
        type: 'container/malicious-program',
        rule: 'Crypto miner in container',
        event: exec(['/bin/true', '--url=STRATUM+TCP://pool.example:3333'], { container: {} }),
      },
    ],
    silent: [
      { event: exec('/usr/bin/java -jar app.jar --server.port=8080', { container: {} }) },
      { event: exec('/usr/bin/python3 manage.py runserver', { container: {} }) },
      { event: exec('/usr/bin/top') },
      { event: exec(['grep', '-r', 'stratum', '/var/log']) },
      { event: exec(['grep', '-ri', 'Stratum protocol', '/usr/share/doc']) },
    ],
  });
});
