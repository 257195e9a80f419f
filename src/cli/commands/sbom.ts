// `vigil sbom IMAGE`: the package inventory as CycloneDX, SPDX or Vigil JSON.
import type { Command } from 'commander';
import { lazyAction } from '../exit.js';
import { imageRefHelp, imageSources } from '../../node/image/source-index.js';
import { addImageOptions } from '../image-options.js';
import { formatsOf, orList, reportFormats } from '../scan/render.js';

export async function register(program: Command): Promise<void> {
  const [sources, formats] = await Promise.all([imageSources(), reportFormats()]);
  const cmd = program
    .command('sbom')
    .description('list the packages of an image (SBOM)')
    .argument('<image>', imageRefHelp(sources))
    .option('-f, --format <format>', orList(formatsOf(formats, 'sbom')), 'cyclonedx')
    .option('-o, --output <file>', 'write the SBOM to a file');
  addImageOptions(cmd);
  cmd.action(lazyAction(() => import('../scan/scan-command.js'), 'sbomCommand'));
}
