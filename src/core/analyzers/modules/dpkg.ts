// The dpkg analyzer in the analyzer index (one module per analyzer in this directory).
export { dpkgAnalyzer as default } from '../dpkg.js';
