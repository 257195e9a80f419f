// `vigil audit verify` and `vigil audit export`: print the verification, write
// the export to stdout or --output (src/node/server/audit-trail.ts reads them).
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { checkpointAuditTrail, exportAuditTrail, parseAuditFormat, verifyAuditTrail } from '../../node/server/audit-trail.js';
import type { VerifyResult } from '../../node/store/audit-log.js';

function printVerify(r: VerifyResult): number {
  if (r.ok) {
    const anchor = r.checkpoint ? `, head matches the signed checkpoint of ${r.checkpoint.time} (record ${r.checkpoint.seq}, ${r.checkpoint.source})` : '';
    process.stdout.write(`audit trail OK: ${r.records} records, keyed chain intact${anchor}\n`);
    if (r.warning) process.stdout.write(`warning: ${r.warning}\n`);
    return 0;
  }
  process.stdout.write(`audit trail BROKEN at record ${r.bad!.seq} (${r.bad!.kind}): ${r.bad!.reason} (${r.records} records before it verify)\n`);
  return 1;
}

export async function auditVerifyCommand(opts: Record<string, unknown>): Promise<number> {
  return printVerify(await verifyAuditTrail(opts));
}

/** Verifies, then prints (or writes to --output) a new signed checkpoint of the head as JSON. */
export async function auditCheckpointCommand(opts: Record<string, unknown>): Promise<number> {
  const r = await checkpointAuditTrail(opts);
  if (!r.checkpoint) return printVerify(r.verify);
  const text = `${JSON.stringify(r.checkpoint, null, 2)}\n`;
  if (opts.output) writeFileSync(String(opts.output), text, { mode: 0o600 });
  else process.stdout.write(text);
  return 0;
}

export async function auditExportCommand(opts: Record<string, unknown>): Promise<number> {
  const format = parseAuditFormat(opts.format);
  const chunks = exportAuditTrail(opts, format);
  const first = await chunks.next(); // opens the database: its errors come before an output file is created
  const file = opts.output ? createWriteStream(String(opts.output)) : undefined;
  const out = file ?? process.stdout;
  try {
    for (let r = first; !r.done; r = await chunks.next()) {
      if (!out.write(r.value)) await once(out, 'drain');
    }
  } finally {
    await chunks.return(undefined);
    if (file) {
      file.end();
      await once(file, 'finish');
    }
  }
  return 0;
}
