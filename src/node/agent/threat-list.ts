// Threat lists over the agent link in packed chunks (agent.proto ThreatList):
// the server cuts a set's threat list into chunks of at most 1 MiB of packed
// entries (src/core/rules/cidr-pack.ts) named by the sha256 of the whole; the
// agent puts them together, checks the digest and the entries, and keeps the
// last complete list for the `policies` command that names it.
import { createHash } from 'node:crypto';
import { packCidrs, unpackCidrs } from '../../core/rules/cidr-pack.js';
import type { ThreatListChunk } from './proto.js';

export const THREAT_LIST_CHUNK_BYTES = 1024 * 1024;
/** Entries an agent takes in one list (its engine's bound too). */
export const MAX_THREAT_LIST_ENTRIES = 500_000;
const MAX_PACKED_BYTES = MAX_THREAT_LIST_ENTRIES * 18;

export function threatListChunks(cidrs: readonly string[]): { digest: string; count: number; chunks: ThreatListChunk[] } {
  const { bytes, count } = packCidrs(cidrs);
  const digest = createHash('sha256').update(bytes).digest('hex');
  const n = Math.max(1, Math.ceil(bytes.length / THREAT_LIST_CHUNK_BYTES));
  const chunks: ThreatListChunk[] = [];
  for (let i = 0; i < n; i++)
    chunks.push({ digest, index: i, chunks: n, count, packed: bytes.subarray(i * THREAT_LIST_CHUNK_BYTES, (i + 1) * THREAT_LIST_CHUNK_BYTES) });
  return { digest, count, chunks };
}

/** The agent's side: chunks in order, one list at a time; the last complete one is kept. */
export class ThreatListAssembler {
  private part?: { digest: string; chunks: number; count: number; parts: Buffer[]; bytes: number };
  private done?: { digest: string; cidrs: string[] };

  /** One chunk; an error (a chunk out of order, too large, a digest or entry that does not check) drops the list in progress. */
  add(c: ThreatListChunk): { error?: string; complete?: { digest: string; count: number } } {
    const digest = String(c.digest ?? '');
    const index = Number(c.index ?? 0);
    const chunks = Number(c.chunks ?? 0);
    const count = Number(c.count ?? 0);
    const packed = Buffer.from(c.packed ?? new Uint8Array());
    const fail = (error: string) => {
      this.part = undefined;
      return { error: `threat list ${digest.slice(0, 12)}: ${error}` };
    };
    if (!/^[0-9a-f]{64}$/.test(digest)) return fail('no sha256 digest');
    if (!Number.isInteger(chunks) || chunks < 1 || chunks > Math.ceil(MAX_PACKED_BYTES / THREAT_LIST_CHUNK_BYTES)) return fail(`${chunks} chunks`);
    if (count > MAX_THREAT_LIST_ENTRIES) return fail(`${count} entries, more than ${MAX_THREAT_LIST_ENTRIES}`);
    if (index === 0) this.part = { digest, chunks, count, parts: [], bytes: 0 };
    const p = this.part;
    if (!p || p.digest !== digest || p.chunks !== chunks || p.parts.length !== index) return fail(`chunk ${index} of ${chunks} out of order`);
    p.bytes += packed.length;
    if (p.bytes > MAX_PACKED_BYTES) return fail(`more than ${MAX_PACKED_BYTES} bytes`);
    p.parts.push(packed);
    if (p.parts.length < chunks) return {};
    this.part = undefined;
    const all = Buffer.concat(p.parts);
    if (createHash('sha256').update(all).digest('hex') !== digest) return fail('the chunks do not match the digest');
    let cidrs: string[];
    try {
      cidrs = unpackCidrs(all, MAX_THREAT_LIST_ENTRIES);
    } catch (e) {
      return fail((e as Error).message);
    }
    if (cidrs.length !== count) return fail(`${cidrs.length} entries, the server said ${count}`);
    this.done = { digest, cidrs };
    return { complete: { digest, count } };
  }

  /** The complete list of this digest, if it was received. */
  list(digest: string): string[] | undefined {
    return this.done?.digest === digest ? this.done.cidrs : undefined;
  }
}
