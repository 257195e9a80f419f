// Options every command that reads an image shares (scan, sbom): platform,
// registry credentials, and the reader limits (LIMIT_FLAGS of src/core/image/limits.ts).
import { Option, type Command } from 'commander';
import type { Platform } from '../core/image/types.js';
import { LIMIT_FLAGS, limitsFromOptions } from '../core/image/limits.js';
import type { OpenImageOptions } from '../node/image/types.js';
import { imageRefHelp, imageSources } from '../node/image/source-index.js';
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

/**
 * `vigil <name> IMAGE` (scan, sbom): the image operand with the sources of the
 * index, `--format` from the report formats of that kind, `--output`.
 * The command's own options follow; addImageOptions comes last.
 */
export async function imageCommand(program: Command, name: 'scan' | 'sbom', description: string, defaultFormat: string, output: string): Promise<Command> {
  const [sources, formats] = await Promise.all([imageSources(), reportFormats()]);
  return program
    .command(name)
    .description(description)
    .argument('<image>', imageRefHelp(sources))
    .option('-f, --format <format>', orList(formatsOf(formats, name)), defaultFormat)
    .option('-o, --output <file>', output);
}

export function addImageOptions(cmd: Command): Command {
  cmd
    .option('--platform <os/arch[/variant]>', 'platform to pick from a multi-platform image', 'linux/amd64')
    .option('--username <user>', 'registry user (else VIGIL_REGISTRY_USERNAME, else ~/.docker/config.json)')
    .option('--password <password>', 'registry password (else VIGIL_REGISTRY_PASSWORD)')
    .option('--insecure', 'allow plain HTTP and unverified TLS to the registry')
    .option('--containerd-socket <path>', 'containerd: its socket (else CONTAINERD_ADDRESS, else /run/containerd/containerd.sock)')
    .option('--containerd-root <dir>', "containerd: read blobs from this root's content store directory instead of the Content API");
  for (const f of LIMIT_FLAGS) {
    cmd.addOption(new Option(`--${f.flag} <${f.size ? 'size' : 'n'}>`, `reader limit: ${f.description}`).hideHelp());
  }
  return cmd;
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
