import type { Clock } from './ports';

/**
 * A small per-container cache with a time to live, for values that may be a little stale
 * (a tenant's policy, an API key's record) but must not cost a database call per request.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: Promise<V>; expiresAtMs: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlSeconds: number,
    private readonly maxEntries = 1000,
  ) {}

  get(key: string, load: () => Promise<V>): Promise<V> {
    const now = this.clock.nowMs();
    const hit = this.entries.get(key);
    if (hit && hit.expiresAtMs > now) return hit.value;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    const value = load();
    this.entries.set(key, { value, expiresAtMs: now + this.ttlSeconds * 1000 });
    value.catch(() => this.entries.delete(key));
    return value;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
