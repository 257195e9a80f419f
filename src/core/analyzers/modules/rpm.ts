// The rpm analyzer in the analyzer index (one module per analyzer in this directory).
export { rpmAnalyzer as default } from '../rpm.js';
