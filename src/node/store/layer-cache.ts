// A store-backed layer cache for scans: per-layer analysis results keyed by
// layer digest + analyzer versions (the key is built by the scan pipeline),
// shared by every scan worker of a server. Counts hits and misses.

export class StoreLayerCache {
  hits = 0;
  misses = 0;
  constructor(
    private readonly db: import('./store.js').Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async get(key: string): Promise<unknown | undefined> {
    const row = await this.db.selectFrom('layer_cache').select('value').where('key', '=', key).executeTakeFirst();
    if (!row) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    return JSON.parse(row.value);
  }

  async set(key: string, value: unknown): Promise<void> {
    await this.db
      .insertInto('layer_cache')
      .values({ key, value: JSON.stringify(value), created_at: this.now().toISOString() })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value) }))
      .execute();
  }
}
