// The comparator index. Which ecosystem uses which comparator is the
// ecosystem module's knowledge (src/core/ecosystems).
import { ModuleIndex } from '../module-index.js';
import { apkComparator } from './apk.js';
import { dpkgComparator } from './dpkg.js';
import { goComparator } from './go.js';
import { nugetComparator } from './nuget.js';
import { pep440Comparator } from './pep440.js';
import { rpmComparator } from './rpm.js';
import { semverComparator } from './semver.js';
import type { VersionComparator } from './types.js';

export type { VersionComparator } from './types.js';

export const comparators = new ModuleIndex<VersionComparator>('version comparator', [
  apkComparator,
  dpkgComparator,
  goComparator,
  nugetComparator,
  pep440Comparator,
  rpmComparator,
  semverComparator,
]);
