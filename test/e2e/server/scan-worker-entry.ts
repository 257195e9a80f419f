// A scan worker process for the kill-a-worker test: `vigil server --role
// worker` as a function call, with the real scan pipeline behind an optional
// delay (SLOW_SCAN_MS) standing in for a large image, so the test can kill
// the process mid-scan.
import { loadConfig } from '../../../src/node/server/config.js';
import { startServer } from '../../../src/node/server/start.js';
import { loadRunScan } from '../../../src/node/jobs/scan-service.js';

const delay = Number(process.env.SLOW_SCAN_MS ?? 0);
const runScan = await loadRunScan();
const server = await startServer(loadConfig({ role: 'worker' }), {
  print: () => {},
  scanFn: async (ref, opts) => {
    process.stdout.write(`scanning ${ref}\n`);
    if (delay) await new Promise((r) => setTimeout(r, delay));
    return runScan(ref, opts);
  },
});
process.stdout.write(`ready ${server.ctx.scans.workerName}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
