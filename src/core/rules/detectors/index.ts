// Index of built-in detectors (code detections that are not rule
// conditions). Sorted by id; a duplicate id throws.
import { ModuleIndex } from '../../module-index.js';
import type { Detector } from './types.js';
import { threatIpDetector } from './threat-ip.js';
import { processWhitelistDetector } from './process-whitelist.js';
import { fileProtectionDetector } from './file-protection.js';
import { illegalAccountDetector } from './illegal-account.js';
import { startupChecksDetector } from './startup-checks.js';
import { bruteForceSuccessDetector } from './brute-force-success.js';

export const detectorIndex = new ModuleIndex<Detector>('detector', [
  threatIpDetector,
  processWhitelistDetector,
  fileProtectionDetector,
  illegalAccountDetector,
  startupChecksDetector,
  bruteForceSuccessDetector,
]);

export const BUILTIN_DETECTORS: readonly Detector[] = detectorIndex.all();

/** The detectors that word the runtime policies' decision (loaded with policies even without the built-in rules). */
export const POLICY_DETECTORS: readonly Detector[] = [processWhitelistDetector, fileProtectionDetector];
