// Public API of the registry source: opening images, digests, listings.
export { openRegistryImage, getManifestDigest, DEFAULT_PLATFORM } from './registry-image.js';
export { listRepositories, listTags, RegistrySession, type ListOptions } from './listing.js';
export type { RegistryOptions } from './client.js';
export { parseReference, formatReference, type RegistryReference } from './reference.js';
