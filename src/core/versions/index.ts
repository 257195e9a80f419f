// The comparator index. Which ecosystem uses which comparator is the
// ecosystem module's knowledge (src/core/ecosystems).
import { ModuleIndex } from '../module-index.js';
import { apkComparator } from './apk.js';
import { composerComparator } from './composer.js';
import { dpkgComparator } from './dpkg.js';
import { goComparator } from './go.js';
import { mavenComparator } from './maven.js';
import { nugetComparator } from './nuget.js';
import { pep440Comparator } from './pep440.js';
import { rpmComparator } from './rpm.js';
import { rubygemsComparator } from './rubygems.js';
import { semverComparator } from './semver.js';
import type { VersionComparator } from './types.js';

export type { VersionComparator } from './types.js';

export const comparators = new ModuleIndex<VersionComparator>('version comparator', [
  apkComparator,
  composerComparator,
  dpkgComparator,
  goComparator,
  mavenComparator,
  nugetComparator,
  pep440Comparator,
  rpmComparator,
  rubygemsComparator,
  semverComparator,
]);
