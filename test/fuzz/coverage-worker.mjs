// Entry of the coverage fuzzer's worker thread: a worker does not inherit
// tsx's module hooks, so it registers them before loading the TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./coverage-worker.ts');
