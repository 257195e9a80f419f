// `vigil check FILE`: environment checks (product.md 3.1) on docker inspect
// JSON or Kubernetes workload YAML; table or JSON; --exit-code N on findings.
import { colors as pc } from '../terminal.js';
import { checkSpecs, type CheckResultFinding } from '../../core/checks/run.js';
import { InputError } from '../../core/errors.js';
import { readCheckInput } from '../../node/checks/read.js';

export interface CheckOptions {
  format?: string;
  exitCode?: string;
}

const SEV_ORDER = ['critical', 'high', 'medium', 'low', 'info'];

function table(findings: CheckResultFinding[], resources: number): string {
  if (!findings.length) return `No unsafe settings found (${resources} container${resources === 1 ? '' : 's'} checked).\n`;
  const rows = findings.map((f) => [
    `${f.resource.kind}/${f.resource.namespace ? `${f.resource.namespace}/` : ''}${f.resource.name}`,
    f.resource.container,
    f.check,
    f.severity.toUpperCase(),
    f.detail,
  ]);
  const head = ['RESOURCE', 'CONTAINER', 'CHECK', 'SEVERITY', 'DETAIL'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]!))).join('  ');
  const color = (s: string, sev: string) => (sev === 'CRITICAL' || sev === 'HIGH' ? pc.red(s) : sev === 'MEDIUM' ? pc.yellow(s) : s);
  return [
    pc.bold(line(head)),
    ...rows.map((r) => color(line(r), r[3]!)),
    '',
    `${findings.length} finding${findings.length === 1 ? '' : 's'} in ${resources} container${resources === 1 ? '' : 's'} (type container/abnormal-startup)`,
    '',
  ].join('\n');
}

export async function checkCommand(file: string, opts: CheckOptions): Promise<number> {
  const format = opts.format ?? 'table';
  if (format !== 'table' && format !== 'json') throw new InputError('USAGE', `--format must be table or json, not '${format}'`);
  let exitCode = 0;
  if (opts.exitCode !== undefined) {
    exitCode = Number(opts.exitCode);
    if (!Number.isInteger(exitCode) || exitCode < 0 || exitCode > 255)
      throw new InputError('USAGE', `--exit-code must be an integer 0..255, not '${opts.exitCode}'`);
  }
  const input = await readCheckInput(file);
  const findings = checkSpecs(input.specs);
  findings.sort((a, b) => SEV_ORDER.indexOf(a.severity) - SEV_ORDER.indexOf(b.severity));
  if (format === 'json') process.stdout.write(`${JSON.stringify({ findings }, null, 2)}\n`);
  else process.stdout.write(table(findings, input.specs.length));
  return findings.length ? exitCode : 0;
}
