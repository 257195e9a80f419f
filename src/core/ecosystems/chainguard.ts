// Chainguard OS: Chainguard's images built on Wolfi packages, a rolling apk
// distribution keyed without a release in OSV: `Chainguard`.
import { rollingApkEcosystem } from './shared.js';

export const chainguard = rollingApkEcosystem('chainguard', 'Chainguard');
