// Rust source trees: Cargo.lock (../cargo-lock.ts), every package it locks,
// as Trivy's cargo parser lists them. A lockfile that cannot be read is a notice.
import { MAX_CARGO_LOCK, parseCargoLock } from '../cargo-lock.js';
import { claimFiles, packageFileAnalyzer } from '../package-files.js';

export default packageFileAnalyzer({
  id: 'cargo',
  claims: { names: ['Cargo.lock'] },
  required: claimFiles((path) => path.endsWith('/Cargo.lock'), MAX_CARGO_LOCK),
  type: 'cargo',
  what: 'Cargo.lock',
  maxBytes: MAX_CARGO_LOCK,
  read: (f) => parseCargoLock(f.content.toString('utf8')),
  unique: true,
});
