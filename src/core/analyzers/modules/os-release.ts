// The os-release analyzer in the analyzer index (one module per analyzer in this directory).
export { osReleaseAnalyzer as default } from '../os-release.js';
