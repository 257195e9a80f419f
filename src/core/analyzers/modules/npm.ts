// The npm analyzer in the analyzer index (one module per analyzer in this directory).
export { npmAnalyzer as default } from '../npm.js';
