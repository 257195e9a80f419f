// `vigil k8s check-apiserver`: is auditing enabled on a kube-apiserver? Reads
// a static pod manifest (YAML text) or a process command line, reports which
// audit flags are missing (policy file; log backend path and rotation, or the
// webhook backend), whether the policy file and log directory are mounted
// into the pod, and prints the exact lines to add, indented like the
// manifest's own lines, with spaces only (a tab breaks the manifest).
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode, type YAMLMap, type YAMLSeq } from 'yaml';
import { InputError } from '../errors.js';
import { RECOMMENDED_LOG_FLAGS, RECOMMENDED_LOG_PATH, RECOMMENDED_POLICY_FILE } from './audit-policy.js';

export interface CheckFinding {
  id: 'tabs' | 'policy-file' | 'backend' | 'log-maxsize' | 'log-maxage' | 'log-maxbackup' | 'policy-mount' | 'log-mount' | 'webhook-config-mount';
  ok: boolean;
  message: string;
}

export interface LinesToAdd {
  /** Where: `command`, `args`, `volumeMounts`, `volumes` (manifest) or `command line` (process). */
  under: string;
  /** 1-based line after which to insert; undefined when the list does not exist yet. */
  afterLine?: number;
  lines: string[];
}

export interface CheckResult {
  kind: 'manifest' | 'process';
  findings: CheckFinding[];
  add: LinesToAdd[];
  ok: boolean;
}

type Flags = Map<string, string>;

/** `--name=value` and `--name value` forms; the last occurrence wins, as in the apiserver. */
export function parseFlags(argv: readonly string[]): Flags {
  const flags: Flags = new Map();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq > 0) flags.set(a.slice(0, eq), a.slice(eq + 1));
    else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) flags.set(a, argv[++i]!);
    else flags.set(a, 'true');
  }
  return flags;
}

function dirOf(p: string): string {
  const t = p.replace(/\/+$/, '');
  const i = t.lastIndexOf('/');
  return i <= 0 ? '/' : t.slice(0, i);
}

/** Whether a container path lies at or under a mount path. */
function under(path: string, mountPath: string): boolean {
  const m = mountPath.replace(/\/+$/, '') || '/';
  const p = path.replace(/\/+$/, '') || '/';
  return p === m || m === '/' || p.startsWith(`${m}/`);
}

/** Flag findings common to manifests and processes; returns the flags to add. */
function checkFlags(flags: Flags, findings: CheckFinding[]): Array<[string, string]> {
  const add: Array<[string, string]> = [];
  const has = (f: string) => flags.has(f) && flags.get(f) !== '';
  if (has('--audit-policy-file')) findings.push({ id: 'policy-file', ok: true, message: `--audit-policy-file=${flags.get('--audit-policy-file')}` });
  else {
    findings.push({ id: 'policy-file', ok: false, message: '--audit-policy-file is missing: without a policy the apiserver records nothing' });
    add.push(['--audit-policy-file', RECOMMENDED_POLICY_FILE]);
  }
  const webhook = has('--audit-webhook-config-file');
  const log = has('--audit-log-path');
  if (webhook && !log) {
    findings.push({ id: 'backend', ok: true, message: `webhook backend: --audit-webhook-config-file=${flags.get('--audit-webhook-config-file')}` });
    return add;
  }
  if (log)
    findings.push({
      id: 'backend',
      ok: true,
      message: `log backend: --audit-log-path=${flags.get('--audit-log-path')}${webhook ? ' (and the webhook backend)' : ''}`,
    });
  else {
    findings.push({ id: 'backend', ok: false, message: '--audit-log-path (or --audit-webhook-config-file) is missing: no audit backend is enabled' });
    add.push(['--audit-log-path', RECOMMENDED_LOG_PATH]);
  }
  if (flags.get('--audit-log-path') === '-') return add;
  for (const [flag, value] of RECOMMENDED_LOG_FLAGS) {
    const id = flag.slice(2).replace('audit-', '') as CheckFinding['id'];
    if (has(flag)) findings.push({ id, ok: true, message: `${flag}=${flags.get(flag)}` });
    else {
      findings.push({
        id,
        ok: false,
        message: `${flag} is missing: the audit log ${flag === '--audit-log-maxsize' ? 'grows without rotation' : flag === '--audit-log-maxage' ? 'backups are kept forever' : 'backups are never pruned'}`,
      });
      add.push([flag, value]);
    }
  }
  return add;
}

/** Check a running apiserver's command line (from /proc/PID/cmdline). */
export function checkApiserverArgs(argv: readonly string[]): CheckResult {
  const findings: CheckFinding[] = [];
  const add = checkFlags(parseFlags(argv), findings);
  const result: CheckResult = { kind: 'process', findings, add: [], ok: findings.every((f) => f.ok) };
  if (add.length) result.add.push({ under: 'command line', lines: add.map(([f, v]) => `${f}=${v}`) });
  return result;
}

interface ListInfo {
  node: YAMLSeq | undefined;
  /** Indentation of the list's items (spaces before `-`). */
  indent: number;
  /** 1-based line number of the last line of the list. */
  lastLine?: number;
  /** Indentation of the key that holds the list, for creating a missing list. */
  keyIndent: number;
}

/** Check a kube-apiserver static pod manifest. */
export function checkApiserverManifest(text: string, where = 'manifest'): CheckResult {
  const findings: CheckFinding[] = [];
  const tabLine = text.split('\n').findIndex((l) => /^[ ]*\t/.test(l) || /\t/.test(l.replace(/#.*$/, '')));
  if (tabLine >= 0) {
    findings.push({ id: 'tabs', ok: false, message: `line ${tabLine + 1} contains a tab: YAML indentation must use spaces` });
    return { kind: 'manifest', findings, add: [], ok: false };
  }
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, keepSourceTokens: true });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const pos = lc.linePos(e.pos[0]);
    throw new InputError('MANIFEST_INVALID', `line ${pos.line}: ${e.message.split('\n')[0]}`, where);
  }
  const root = doc.contents;
  if (!isMap(root)) throw new InputError('MANIFEST_INVALID', 'not a Kubernetes object', where);
  const spec = root.get('spec', true);
  if (!isMap(spec)) throw new InputError('MANIFEST_INVALID', 'no spec: not a Pod manifest', where);
  const containers = spec.get('containers', true);
  if (!isSeq(containers)) throw new InputError('MANIFEST_INVALID', 'no spec.containers', where);
  const container = containers.items.find((c) => {
    if (!isMap(c)) return false;
    if (String(c.get('name') ?? '') === 'kube-apiserver') return true;
    const cmd = c.get('command', true);
    return isSeq(cmd) && cmd.items.some((i) => isScalar(i) && String(i.value).endsWith('kube-apiserver'));
  }) as YAMLMap | undefined;
  if (!container) throw new InputError('MANIFEST_INVALID', 'no kube-apiserver container in spec.containers', where);

  const lineOf = (offset: number) => lc.linePos(offset).line;
  const lines = text.split('\n');
  const indentOfLine = (n: number) => /^ */.exec(lines[n - 1] ?? '')![0].length;
  const keyLine = (map: YAMLMap, key: string): number | undefined => {
    const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
    const k = pair?.key as YamlNode | undefined;
    return k?.range ? lineOf(k.range[0]) : undefined;
  };
  const listInfo = (map: YAMLMap, key: string, defaultItemIndent: number, defaultKeyIndent: number): ListInfo => {
    const node = map.get(key, true);
    const kl = keyLine(map, key);
    const keyIndent = kl !== undefined ? indentOfLine(kl) : defaultKeyIndent;
    if (!isSeq(node) || node.items.length === 0 || node.flow)
      return { node: isSeq(node) ? node : undefined, indent: defaultItemIndent, keyIndent, lastLine: kl };
    const first = node.items[0] as YamlNode;
    const firstLine = first.range ? lineOf(first.range[0]) : undefined;
    const indent = firstLine !== undefined ? indentOfLine(firstLine) : defaultItemIndent;
    // The list's last line: the end of the last item, minus trailing blank/comment lines.
    let end = node.range ? lineOf(Math.max(node.range[1] - 1, 0)) : undefined;
    while (end !== undefined && end > 1 && /^\s*(#.*)?$/.test(lines[end - 1] ?? '')) end--;
    return { node, indent, keyIndent, lastLine: end };
  };
  const strings = (seq: YAMLSeq | undefined): string[] => (seq ? seq.items.map((i) => (isScalar(i) ? String(i.value) : '')) : []);

  const containerIndent = (() => {
    const r = (container as YamlNode).range;
    return r ? lc.linePos(r[0]).col - 1 : 4;
  })();
  const cmd = listInfo(container, 'command', containerIndent, containerIndent);
  const args = listInfo(container, 'args', containerIndent, containerIndent);
  const argv = [...strings(cmd.node), ...strings(args.node)];
  const flags = parseFlags(argv);
  const addFlags = checkFlags(flags, findings);
  const add: LinesToAdd[] = [];
  // Put flags where the manifest keeps its flags: args when command is only the binary.
  const flagList =
    strings(args.node).some((a) => a.startsWith('--')) || (cmd.node === undefined && args.node) ? { info: args, name: 'args' } : { info: cmd, name: 'command' };
  if (addFlags.length) {
    const pad = ' '.repeat(flagList.info.indent);
    add.push({ under: flagList.name, afterLine: flagList.info.lastLine, lines: addFlags.map(([f, v]) => `${pad}- ${f}=${v}`) });
  }

  // Mounts: needed for the files the (final) flags name.
  const final = new Map(flags);
  for (const [f, v] of addFlags) final.set(f, v);
  const mountsInfo = listInfo(container, 'volumeMounts', containerIndent, containerIndent);
  const volumesInfo = listInfo(spec, 'volumes', indentOfLine(keyLine(spec, 'containers') ?? 1), indentOfLine(keyLine(spec, 'containers') ?? 1));
  const mounts = (mountsInfo.node?.items ?? [])
    .filter(isMap)
    .map((m) => ({ name: String(m.get('name') ?? ''), mountPath: String(m.get('mountPath') ?? ''), readOnly: m.get('readOnly') === true }));
  const volumes = new Map((volumesInfo.node?.items ?? []).filter(isMap).map((v) => [String(v.get('name') ?? ''), v] as const));
  const usedNames = new Set([...mounts.map((m) => m.name), ...volumes.keys()]);
  const newName = (base: string) => {
    let n = base;
    for (let i = 2; usedNames.has(n); i++) n = `${base}-${i}`;
    usedNames.add(n);
    return n;
  };
  const mountLines: string[] = [];
  const volumeLines: string[] = [];
  const mp = ' '.repeat(mountsInfo.indent);
  const vp = ' '.repeat(volumesInfo.indent);
  const need = (id: CheckFinding['id'], path: string | undefined, what: string, isDir: boolean, readOnly: boolean) => {
    if (!path || path === '-') return;
    // The deepest mount covering the path is the one that applies (nested mounts hide their parents).
    const m = mounts
      .filter((x) => under(path, x.mountPath) && volumes.has(x.name) && isMap(volumes.get(x.name)!.get('hostPath', true)))
      .sort((a, b) => b.mountPath.replace(/\/+$/, '').length - a.mountPath.replace(/\/+$/, '').length)[0];
    if (m && (readOnly || !m.readOnly)) {
      findings.push({ id, ok: true, message: `${what} ${path} is mounted from the host (volume ${m.name} at ${m.mountPath})` });
      return;
    }
    findings.push({
      id,
      ok: false,
      message: m
        ? `${what} ${path} is mounted read-only: the apiserver cannot write it`
        : `${what} ${path} is not mounted into the apiserver pod from the host`,
    });
    const name = newName(id === 'log-mount' ? 'audit-log' : id === 'policy-mount' ? 'audit' : 'audit-webhook');
    const mountPath = isDir ? `${path.replace(/\/+$/, '')}/` : path;
    mountLines.push(`${mp}- mountPath: ${mountPath}`, `${mp}  name: ${name}`, `${mp}  readOnly: ${readOnly}`);
    volumeLines.push(`${vp}- name: ${name}`, `${vp}  hostPath:`, `${vp}    path: ${mountPath}`, `${vp}    type: ${isDir ? 'DirectoryOrCreate' : 'File'}`);
  };
  need('policy-mount', final.get('--audit-policy-file'), 'audit policy file', false, true);
  const logPath = final.get('--audit-log-path');
  need('log-mount', logPath && logPath !== '-' ? dirOf(logPath) : undefined, 'audit log directory', true, false);
  need('webhook-config-mount', final.get('--audit-webhook-config-file'), 'audit webhook config file', false, true);
  if (mountLines.length) {
    const lines = mountsInfo.node ? mountLines : [`${' '.repeat(mountsInfo.keyIndent)}volumeMounts:`, ...mountLines];
    add.push({ under: 'volumeMounts', afterLine: mountsInfo.node ? mountsInfo.lastLine : undefined, lines });
  }
  if (volumeLines.length) {
    const lines = volumesInfo.node ? volumeLines : [`${' '.repeat(volumesInfo.keyIndent)}volumes:`, ...volumeLines];
    add.push({ under: 'volumes', afterLine: volumesInfo.node ? volumesInfo.lastLine : undefined, lines });
  }
  return { kind: 'manifest', findings, add, ok: findings.every((f) => f.ok) };
}

/** Human-readable report: findings, then the lines to add. */
export function formatCheckReport(r: CheckResult, file: string): string {
  const out: string[] = [];
  for (const f of r.findings) out.push(`${f.ok ? 'ok     ' : 'MISSING'} ${f.message}`);
  if (r.ok) {
    out.push('', 'Auditing is enabled.');
    return out.join('\n') + '\n';
  }
  for (const a of r.add) {
    out.push('');
    if (r.kind === 'process') out.push('Add these flags to the kube-apiserver command line:');
    else if (a.afterLine !== undefined) out.push(`In ${file}, under "${a.under}:", add after line ${a.afterLine} (spaces, never tabs):`);
    else out.push(`In ${file}, add "${a.under}:" (it is missing) with these lines (spaces, never tabs):`);
    out.push(...a.lines);
  }
  if (r.kind === 'manifest' && r.findings.some((f) => f.id === 'policy-file' && !f.ok)) {
    out.push('', `Write the policy with: vigil k8s audit-policy > ${RECOMMENDED_POLICY_FILE}`);
  }
  return out.join('\n') + '\n';
}
