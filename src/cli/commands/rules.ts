// `vigil rules`: registered by its owner module. (Filled in by the issue that builds it.)
import type { Command } from 'commander';

export function register(_program: Command): void {}
