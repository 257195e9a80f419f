// The agent link's wire format is fixed: agents and servers of different
// versions talk to each other. Each oneof member of AgentMessage (up) and
// ServerMessage (down) that carries one JSON document is encoded here and
// compared with the bytes written out by hand from the field numbers
// (tag = field << 3 | 2, then the length, then `string json = 1`), and the
// bytes decode back to the same member. Sharing a message type between the
// members (JsonDocument) must not change a byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agentLinkProto } from './proto.js';

/** A length-delimited field: its varint tag, the length, the bytes. */
function field(no: number, body: Buffer): Buffer {
  const varint = (n: number): number[] => {
    const out: number[] = [];
    while (n >= 0x80) {
      out.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    out.push(n);
    return out;
  };
  return Buffer.concat([Buffer.from(varint((no << 3) | 2)), Buffer.from(varint(body.length)), body]);
}

const doc = (json: string): Buffer => field(1, Buffer.from(json, 'utf8'));

test('the JSON-document members of the agent link keep their field numbers and wire bytes', () => {
  const connect = agentLinkProto().service.Connect!;
  const up: [string, number][] = [
    ['inventory', 5],
    ['imageScan', 20],
    ['learned', 30],
    ['nodeImages', 40],
  ];
  for (const [name, no] of up) {
    const json = `{"${name}":[1,"é"]}`;
    const bytes = connect.requestSerialize({ [name]: { json } });
    assert.equal(bytes.toString('hex'), field(no, doc(json)).toString('hex'), `AgentMessage.${name} is field ${no}`);
    const back = connect.requestDeserialize(bytes) as Record<string, unknown>;
    assert.equal(back.body, name);
    assert.deepEqual(back[name], { json });
  }
  const json = '{"decisions":[]}';
  const bytes = connect.responseSerialize({ learnedDecisions: { json } });
  assert.equal(bytes.toString('hex'), field(30, doc(json)).toString('hex'), 'ServerMessage.learned_decisions is field 30');
  const back = connect.responseDeserialize(bytes) as Record<string, unknown>;
  assert.equal(back.body, 'learnedDecisions');
  assert.deepEqual(back.learnedDecisions, { json });
});
