// network/abnormal-outbound: a connection (or datagram) to an address on the
// threat-IP list (`--threat-ips FILE`, CIDRs; see docs/rules.md for the
// default list).
import type { SyscallEvent } from '../../events/event.js';
import type { Detector } from './types.js';

export const threatIpDetector: Detector = {
  id: 'threat-ip-outbound',
  version: 1,
  type: 'network/abnormal-outbound',
  source: 'syscall',
  evtTypes: ['connect', 'sendto', 'sendmsg'],
  severity: 'high',
  desc: 'Outbound connection to an address on the threat-IP list.',
  remedy: 'Isolate the container, find how the process learned the address (malware, miner pool, C2), and block the range at the egress firewall.',
  create(ctx) {
    const list = ctx.threatIps;
    if (!list || list.size === 0) return undefined;
    return (ev) => {
      const e = ev as SyscallEvent;
      const ip = e.fd?.dip;
      if (!ip || (e.res !== undefined && e.res < 0 && e.res !== -115)) return undefined;
      if (!list.has(ip)) return undefined;
      return {
        message: `Outbound connection to threat-listed address ${ip}:${e.fd?.dport ?? '?'} by ${e.proc.name} (pid ${e.proc.pid})`,
        fields: { 'fd.sip': ip, 'fd.sport': e.fd?.dport, 'proc.name': e.proc.name },
      };
    };
  },
};
