// Vigil's version, the one constant every part reads (`--version`, the DB's
// `vigil_version`, SBOM and SARIF tool versions): package.json's, found
// relative to this module, so it is the same from src/ (tests, tsx) and
// dist/ (the installed CLI), with or without npm running it.
import { createRequire } from 'node:module';

export const VIGIL_VERSION: string = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
