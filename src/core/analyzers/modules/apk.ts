// The apk analyzer in the analyzer index (one module per analyzer in this directory).
export { apkAnalyzer as default } from '../apk.js';
