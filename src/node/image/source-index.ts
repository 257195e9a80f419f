// The index of image sources: every module in ./sources/ (see source-module.ts).
import type { ModuleIndex } from '../../core/module-index.js';
import { loadModule, loadModuleDir, moduleFiles, once } from '../module-dir.js';
import { isImageSourceModule, type ImageSourceModule } from './source-module.js';

export const SOURCES_DIR = new URL('./sources/', import.meta.url);

export const imageSources: () => Promise<ModuleIndex<ImageSourceModule>> = once(() => loadModuleDir('image source', SOURCES_DIR, isImageSourceModule));

/** The ids of the sources (their file names; no module is loaded). */
export function imageSourceIds(): string[] {
  return moduleFiles(SOURCES_DIR).map(([id]) => id);
}

const loadedSources = new Map<string, Promise<ImageSourceModule | undefined>>();

/** One source by id, loading only its module (a `rootfs:` scan does not load the registry client). */
export function imageSource(id: string): Promise<ImageSourceModule | undefined> {
  let p = loadedSources.get(id);
  if (!p) loadedSources.set(id, (p = loadModule('image source', SOURCES_DIR, id, isImageSourceModule)));
  return p;
}

/** The IMAGE help text: every source's syntax, then "or a path". */
export function imageRefHelp(sources: ModuleIndex<ImageSourceModule>): string {
  return `${sources
    .all()
    .map((s) => s.syntax)
    .join(', ')}, or a path`;
}
