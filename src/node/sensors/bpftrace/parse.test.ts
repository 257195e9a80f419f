import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseBpftraceLine, decodeArgv, MAX_LINE_BYTES } from './parse.js';

// Lines as bpftrace v0.17 prints them with `-f json` (recorded on this kernel).
const REC = {
  attached: '{"type": "attached_probes", "data": {"probes": 36}}',
  ready: '{"type": "printf", "data": "R\\tready\\n"}',
  open: '{"type": "printf", "data": "O\\t970166337916\\t20268\\t20268\\t19994\\t0\\t4026531836\\t1\\tcat\\t3\\t0\\t-100\\t739\\t266338304\\t0\\t9\\t0\\t0\\t0\\t0\\t/etc/shadow\\n"}',
  connect: '{"type": "printf", "data": "C\\t970168835513\\t20269\\t20269\\t19994\\t0\\t4026531836\\t1\\tbash\\t3\\t4\\t127.0.0.1\\t1\\n"}',
  argv: '{"type": "printf", "data": "Ea\\t31235\\t/bin/echo\\\\x00a b\\\\x00c\\"\\\\d\\\\x00tab\\\\x09here\\\\x00\\n"}',
  rename: '{"type": "printf", "data": "N\\t970187992349\\t20272\\t20272\\t19994\\t0\\t4026531836\\t1\\tmv\\t/tmp/zz/a\\u001f/tmp/zz/b.enc\\n"}',
  lost: '{"type": "lost_events", "data": {"events": 17}}',
  exec: '{"type": "printf", "data": "E\\t35889945419396\\t21224\\t21224\\t21223\\t0\\t4026531836\\t1\\techo\\t13104\\t0\\t4294967295\\t34816\\t266338304\\t260249\\t43856\\t1663687647\\t1\\t-473931389644357347\\tbash\\t/bin/echo\\n"}',
  cgroup: '{"type": "printf", "data": "Cg\\t35888428189839\\t21193\\t21193\\t20937\\t0\\t4026531836\\t1\\tgrep\\t1\\t\\t\\n"}',
  exits: '{"type": "map", "data": {"@q": {"21200": 35889623987236, "21218": 35889698900177}}}',
  repeats: '{"type": "map", "data": {"@xn1": {"-8125517116623930144": 2, "481401990158676426": 1}}}',
};

describe('bpftrace JSON line parser', () => {
  it('reads the recorded records', () => {
    assert.deepEqual(parseBpftraceLine(REC.attached), { kind: 'attached', probes: 36 });
    assert.deepEqual(parseBpftraceLine(REC.ready), { kind: 'ready' });
    const o = parseBpftraceLine(REC.open);
    assert.equal(o.kind, 'event');
    if (o.kind !== 'event') return;
    assert.equal(o.ev.code, 'O');
    assert.equal(o.ev.pid, 20268);
    assert.equal(o.ev.ppid, 19994);
    assert.equal(o.ev.pidnsInode, 4026531836);
    assert.equal(o.ev.comm, 'cat');
    assert.deepEqual(o.ev.rest, ['3', '0', '-100', '739', '266338304', '0', '9', '0', '0', '0', '0', '/etc/shadow']);
    const c = parseBpftraceLine(REC.connect);
    assert.ok(c.kind === 'event' && c.ev.rest.join(' ') === '3 4 127.0.0.1 1');
    const a = parseBpftraceLine(REC.argv);
    assert.ok(a.kind === 'event' && a.ev.code === 'Ea' && a.ev.pid === 31235);
    if (a.kind === 'event') assert.deepEqual(decodeArgv(a.ev.rest[0]!), ['/bin/echo', 'a b', 'c"\\d', 'tab\there']);
    const e = parseBpftraceLine(REC.exec);
    assert.ok(e.kind === 'event' && e.ev.code === 'E');
    if (e.kind === 'event')
      assert.deepEqual(e.ev.rest, [
        '13104',
        '0',
        '4294967295',
        '34816',
        '266338304',
        '260249',
        '43856',
        '1663687647',
        '1',
        '-473931389644357347',
        'bash',
        '/bin/echo',
      ]);
    const g = parseBpftraceLine(REC.cgroup);
    assert.ok(g.kind === 'event' && g.ev.code === 'Cg' && g.ev.rest.join('|') === '1||');
    assert.deepEqual(parseBpftraceLine(REC.exits), {
      kind: 'exits',
      exits: [
        [21200, 35889623987236],
        [21218, 35889698900177],
      ],
    });
    // Execs counted in the kernel (burst aggregation): 64-bit key hashes stay strings.
    assert.deepEqual(parseBpftraceLine(REC.repeats), {
      kind: 'repeats',
      counts: [
        ['-8125517116623930144', 2],
        ['481401990158676426', 1],
      ],
    });
    const n = parseBpftraceLine(REC.rename);
    assert.ok(n.kind === 'event' && n.ev.rest[0] === '/tmp/zz/a\x1f/tmp/zz/b.enc');
    assert.deepEqual(parseBpftraceLine(REC.lost), { kind: 'lost', count: 17 });
    assert.deepEqual(parseBpftraceLine('Lost 5 events'), { kind: 'lost', count: 5 });
  });

  it('decodes the argv area: escaped bytes, UTF-8, an argument cut at the limit', () => {
    assert.deepEqual(decodeArgv('ls\\x00-l\\x00'), ['ls', '-l']);
    assert.deepEqual(decodeArgv('echo\\x00\\xc3\\xa9t\\xc3\\xa9\\x00'), ['echo', '\u00e9t\u00e9']);
    assert.deepEqual(decodeArgv('xmrig\\x00-o\\x00stratum+tc'), ['xmrig', '-o', 'stratum+tc']);
    assert.deepEqual(decodeArgv('a\\xZZ\\x0'), ['a\\xZZ\\x0']);
    assert.deepEqual(decodeArgv(''), ['']);
  });

  it('keeps tabs inside the last (path) field', () => {
    const r = parseBpftraceLine(JSON.stringify({ type: 'printf', data: 'O\t1\t2\t2\t1\t0\t9\t1\tcat\t3\t0\t-100\t0\t0\t0\t9\t0\t0\t0\t0\t/tmp/a\tb\n' }));
    assert.ok(r.kind === 'event' && r.ev.rest[11] === '/tmp/a\tb');
  });

  it('reports broken input as bad, never throws', () => {
    const bad = [
      '{"type": "printf", "data": "O\\t1\\t2"}',
      '{"type": "printf", "data": "?\\t1"}',
      '{"type": "printf", "data": "O\\tx\\t2\\t2\\t1\\t0\\t9\\t1\\tcat\\t3\\t0\\t/p"}',
      '{"type": "printf", "data": 5}',
      '{"type": "lost_events", "data": {}}',
      '{"type": "map", "data": {"@q": 5}}',
      '{"type": "map", "data": {"@xn0": 5}}',
      '{"type": "printf", "data": "Ea\\tx\\tls\\n"}',
      '{"type": "printf", "data": "Pn\\t0\\t3\\tusr\\n"}',
      '{"type": "printf", "data": "Pn\\t12\\tx\\tusr\\n"}',
      '{"type": "printf", "data": "Pn\\t12\\t3\\n"}',
      '{"type": "printf", "data": "Pe\\t12\\n"}',
      '{"type": "printf", "data": "Pe\\t12\\t1\\t2\\n"}',
      '{"type": ',
      '[1,2]',
      'garbage',
      '{"data": "x"}',
      `{"type": "printf", "data": "${'A'.repeat(MAX_LINE_BYTES + 1)}"}`,
    ];
    for (const l of bad) assert.equal(parseBpftraceLine(l).kind, 'bad', l.slice(0, 60));
    assert.equal(parseBpftraceLine('{"type": "time", "data": "x"}').kind, 'other');
  });
});
