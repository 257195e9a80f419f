// `vigil sbom IMAGE`: the package inventory as CycloneDX, SPDX or Vigil JSON.
import type { Command } from 'commander';
import { action } from '../exit.js';
import { addImageOptions } from '../image-options.js';

export function register(program: Command): void {
  const cmd = program
    .command('sbom')
    .description('list the packages of an image (SBOM)')
    .argument('<image>', 'docker-archive:PATH, oci:DIR[:TAG], oci-archive:PATH, rootfs:DIR, registry:HOST/REPO[:TAG|@DIGEST], or a path')
    .option('-f, --format <format>', 'cyclonedx, spdx, json or table', 'cyclonedx')
    .option('-o, --output <file>', 'write the SBOM to a file');
  addImageOptions(cmd);
  cmd.action(action(async (image: string, opts: Record<string, unknown>) => {
    const { sbomCommand } = await import('../scan/scan-command.js');
    return sbomCommand(image, opts);
  }));
}
