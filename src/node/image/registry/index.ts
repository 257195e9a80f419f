// Public API of the registry source: opening images, digests, listings.
export { openRegistryImage, getManifestDigest } from './registry-image.js';
export { DEFAULT_PLATFORM } from '../manifest.js';
export { listRepositories, listTags, RegistrySession, type ListOptions } from './listing.js';
export type { RegistryOptions } from './client.js';
export { parseReference, formatReference, type RegistryReference } from './reference.js';
