// `vigil scan IMAGE`: inventory plus scanners (vuln, malware, secret, baseline, files), in
// every report format of the index (src/core/report/formats/). Options follow Trivy's names.
import type { Command } from 'commander';
import { lazyAction } from '../exit.js';
import { addImageOptions, imageCommand } from '../image-options.js';

export async function register(program: Command): Promise<void> {
  const description = 'scan an image: packages, known vulnerabilities, malware, secrets, baseline checks, unowned files';
  const cmd = imageCommand(program, 'scan', description, 'table', 'write the report to a file')
    .option('--scanners <list>', 'comma-separated scanners: vuln,malware,secret,baseline,files', 'vuln')
    .option(
      '--malware-rules <path>',
      'YARA rules (*.yar, *.yara) and known-bad SHA-256 lists (*.sha256): a file or directory, added to the built-in set (repeatable)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('--severity <list>', 'only these severities (critical,high,medium,low,info,unknown)')
    .option('--ignore-unfixed', 'drop vulnerabilities without a fixed version')
    .option('--ignore-file <file>', 'ignore file (.vigilignore)')
    .option('--vex <file>', 'OpenVEX document')
    .option('--db <path>', 'vulnerability DB file')
    .option('--exit-code <n>', 'exit with N when findings remain after filters and ignores')
    .option('--offline', 'never use the network for intelligence (the scan itself never downloads the DB)');
  addImageOptions(cmd);
  cmd.action(lazyAction(() => import('../scan/scan-command.js'), 'scanCommand'));
}
