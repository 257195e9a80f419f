// The advisory feeds, loaded from src/core/feeds/modules/ (one module per
// feed; see src/core/feeds/index.ts).
import { FeedSet, isAdvisoryFeed } from '../../core/feeds/index.js';
import { loadModuleDir, once } from '../module-dir.js';

export const FEEDS_DIR = new URL('../../core/feeds/modules/', import.meta.url);

export const advisoryFeeds: () => Promise<FeedSet> = once(async () => new FeedSet((await loadModuleDir('advisory feed', FEEDS_DIR, isAdvisoryFeed)).all()));
