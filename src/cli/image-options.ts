// Options every command that reads an image shares (scan, sbom): platform,
// registry credentials, and the reader limits (LIMIT_FLAGS of src/core/image/limits.ts).
import { Option, type Command } from 'commander';
import type { Platform } from '../core/image/types.js';
import { LIMIT_FLAGS, limitsFromOptions } from '../core/image/limits.js';
import type { OpenImageOptions } from '../node/image/types.js';
import { imageRefHelp, imageSources } from '../node/image/source-index.js';
import type { Analyzer } from '../core/analyzers/types.js';
import { analyzerIds, analyzerNames, selectedAnalyzers } from '../node/analyzers/index.js';
import { UsageError } from './exit.js';
import { formatsOf, orList, reportFormats } from './scan/render.js';

export interface ImageCliOptions {
  platform?: string;
  username?: string;
  password?: string;
  insecure?: boolean;
  containerdSocket?: string;
  containerdRoot?: string;
  [limitFlag: string]: unknown;
}

/** Whether this run shows help (`--help`, `-h`, `vigil help ...`): the help texts that list modules are filled in only then. */
function helpShown(argv: readonly string[] = process.argv.slice(2)): boolean {
  return argv[0] === 'help' || argv.includes('--help') || argv.includes('-h');
}

/**
 * `vigil <name> IMAGE` (scan, sbom): the image operand with the sources of the
 * index, `--format` from the report formats of that kind, `--output`.
 * The command's own options follow; addImageOptions comes last. The source
 * and format indexes are loaded for the help text only when help is shown
 * (a scan loads its one source and its one format itself).
 */
export function imageCommand(program: Command, name: 'scan' | 'sbom', description: string, defaultFormat: string, output: string): Command {
  const cmd = program
    .command(name)
    .description(description)
    .argument('<image>', 'the image (a source prefix such as rootfs:DIR, or a path)')
    .option('-f, --format <format>', 'report format', defaultFormat)
    .option('-o, --output <file>', output);
  program.hook('preSubcommand', async (_program, sub) => {
    if (sub !== cmd || !helpShown()) return;
    const [sources, formats] = await Promise.all([imageSources(), reportFormats()]);
    const arg = cmd.registeredArguments[0];
    if (arg) arg.description = imageRefHelp(sources);
    const format = cmd.options.find((o) => o.long === '--format');
    if (format) format.description = orList(formatsOf(formats, name));
    const analyzers = cmd.options.find((o) => o.long === '--analyzers');
    if (analyzers) analyzers.description = `${ANALYZERS_HELP} (${analyzerIds().join(', ')})`;
  });
  return cmd;
}

export function addImageOptions(cmd: Command): Command {
  cmd
    .option('--platform <os/arch[/variant]>', 'platform to pick from a multi-platform image', 'linux/amd64')
    .option('--username <user>', 'registry user (else VIGIL_REGISTRY_USERNAME, else ~/.docker/config.json)')
    .option('--password <password>', 'registry password (else VIGIL_REGISTRY_PASSWORD)')
    .option('--insecure', 'allow plain HTTP and unverified TLS to the registry')
    .option('--containerd-socket <path>', 'containerd: its socket (else CONTAINERD_ADDRESS, else /run/containerd/containerd.sock)')
    .option('--containerd-root <dir>', "containerd: read blobs from this root's content store directory instead of the Content API")
    .option('--analyzers <list>', ANALYZERS_HELP);
  for (const f of LIMIT_FLAGS) {
    cmd.addOption(new Option(`--${f.flag} <${f.size ? 'size' : 'n'}>`, `reader limit: ${f.description}`).hideHelp());
  }
  return cmd;
}

const ANALYZERS_HELP =
  'comma-separated analyzers to run, the others read nothing (default: all): os (the OS and its packages), library (language packages) or analyzer ids';

/** `--analyzers`: the analyzers to run, or undefined for all; an unknown name is a usage error naming it. */
export async function analyzersOption(v: unknown): Promise<Analyzer[] | undefined> {
  if (v === undefined) return undefined;
  const allowed = analyzerNames();
  const names = String(v)
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (!names.length) throw new UsageError(`--analyzers: empty list (one or more of ${allowed.join(', ')})`);
  for (const n of names) if (!allowed.includes(n)) throw new UsageError(`--analyzers: unknown analyzer ${n} (one of ${allowed.join(', ')})`);
  return selectedAnalyzers(names);
}

export function parsePlatform(v: string): Platform {
  const [os, architecture, variant] = v.split('/');
  if (!os || !architecture) throw new UsageError(`--platform: expected OS/ARCH[/VARIANT], got ${v}`);
  return variant ? { os, architecture, variant } : { os, architecture };
}

export function imageOpenOptions(o: ImageCliOptions): OpenImageOptions {
  return {
    platform: parsePlatform(typeof o.platform === 'string' ? o.platform : 'linux/amd64'),
    username: o.username,
    password: o.password,
    insecure: o.insecure,
    ...(typeof o.containerdSocket === 'string' ? { containerdSocket: o.containerdSocket } : {}),
    ...(typeof o.containerdRoot === 'string' ? { containerdRoot: o.containerdRoot } : {}),
    limits: limitsFromOptions(o),
  };
}
