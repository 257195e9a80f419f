// The index of image sources: every module in ./sources/ (see source-module.ts).
import type { ModuleIndex } from '../../core/module-index.js';
import { loadModuleDir, once } from '../module-dir.js';
import { isImageSourceModule, type ImageSourceModule } from './source-module.js';

export const SOURCES_DIR = new URL('./sources/', import.meta.url);

export const imageSources: () => Promise<ModuleIndex<ImageSourceModule>> = once(() => loadModuleDir('image source', SOURCES_DIR, isImageSourceModule));

/** The IMAGE help text: every source's syntax, then "or a path". */
export function imageRefHelp(sources: ModuleIndex<ImageSourceModule>): string {
  return `${sources
    .all()
    .map((s) => s.syntax)
    .join(', ')}, or a path`;
}
