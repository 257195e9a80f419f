// Which layer introduced a package at its current version. Every layer's
// version of the package database is available (`input.versions(path)`): a
// package comes from the lowest layer of the unbroken run of database
// versions, ending at the top one, that list it at the same version. (Trivy
// takes the lowest layer that lists it at all; the unbroken run also handles a
// package removed and re-installed later.)
import type { LayerRef } from '../inventory/types.js';
import type { AnalyzerFile } from './types.js';

export function layerRef(index: number, layers: LayerRef[] | undefined): LayerRef {
  return layers?.[index] ?? { index, digest: '' };
}

/**
 * Returns `layerOf(key)`: the layer index for a package key (name + version + arch).
 * `keysOf` parses one older version of the database; it is called lazily, at
 * most once per version. A version that fails to parse ends the run: a broken
 * database hidden by a later layer does not fail the scan.
 */
export function layerAttribution(versions: AnalyzerFile[], keysOf: (file: AnalyzerFile) => Set<string>): (key: string, topLayer: number) => number {
  const cache = new Map<number, Set<string> | null>();
  const keysAt = (i: number): Set<string> | null => {
    let keys = cache.get(i);
    if (keys === undefined) {
      try {
        keys = keysOf(versions[i]!);
      } catch {
        keys = null;
      }
      cache.set(i, keys);
    }
    return keys;
  };
  return (key, topLayer) => {
    let layer = topLayer;
    // versions are bottom layer first; the last one is the version the analyzer parsed.
    for (let i = versions.length - 1; i >= 0; i--) {
      const v = versions[i]!;
      if (v.entry.layer >= topLayer) continue;
      const keys = keysAt(i);
      if (!keys || !keys.has(key)) break;
      layer = v.entry.layer;
    }
    return layer;
  };
}

export const packageKey = (name: string, version: string, arch = ''): string => `${name}\u0000${version}\u0000${arch}`;
