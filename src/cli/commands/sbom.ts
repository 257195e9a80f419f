// `vigil sbom IMAGE`: the package inventory as CycloneDX, SPDX or Vigil JSON.
import type { Command } from 'commander';
import { lazyAction } from '../exit.js';
import { addImageOptions, imageCommand } from '../image-options.js';

export async function register(program: Command): Promise<void> {
  const cmd = imageCommand(program, 'sbom', 'list the packages of an image (SBOM)', 'cyclonedx', 'write the SBOM to a file');
  addImageOptions(cmd);
  cmd.action(lazyAction(() => import('../scan/scan-command.js'), 'sbomCommand'));
}
