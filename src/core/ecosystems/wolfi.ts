// Wolfi: a rolling apk distribution (os-release VERSION_ID is a date such as
// `20230201`), so OSV keys it without a release: `Wolfi`. Its advisories name
// the origin package; the binary name is looked up too (subpackages).
import { rollingApkEcosystem } from './shared.js';

export const wolfi = rollingApkEcosystem('wolfi', 'Wolfi');
