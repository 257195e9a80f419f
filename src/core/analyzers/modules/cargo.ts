// Rust source trees: Cargo.lock (../cargo-lock.ts), every package it locks,
// as Trivy's cargo parser lists them. A lockfile that cannot be read is a notice.
import { MAX_CARGO_LOCK, parseCargoLock } from '../cargo-lock.js';
import { textFileAnalyzer } from '../package-files.js';

export default textFileAnalyzer({
  id: 'cargo',
  names: ['Cargo.lock'],
  type: 'cargo',
  what: 'Cargo.lock',
  maxBytes: MAX_CARGO_LOCK,
  parse: parseCargoLock,
  unique: true,
});
