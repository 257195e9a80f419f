// `vigil audit verify` and `vigil audit export`: print the verification, write
// the export to stdout or --output (src/node/server/audit-trail.ts reads them).
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { exportAuditTrail, parseAuditFormat, verifyAuditTrail } from '../../node/server/audit-trail.js';

export async function auditVerifyCommand(opts: Record<string, unknown>): Promise<number> {
  const r = await verifyAuditTrail(opts);
  if (r.ok) {
    process.stdout.write(`audit trail OK: ${r.records} records, hash chain intact\n`);
    return 0;
  }
  process.stdout.write(`audit trail BROKEN at record ${r.bad!.seq}: ${r.bad!.reason} (${r.records} records before it verify)\n`);
  return 1;
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
