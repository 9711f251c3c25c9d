/**
 * A value read from storage and kept for `ttlMs`: reads after it expired share one load, and `invalidate()`
 * makes the next read load again. For settings-like data that many requests read and few write.
 */
export class RefreshingValue<T> {
  private value: T | undefined;
  private loadedAt = -Infinity;
  private loading: Promise<T> | null = null;

  constructor(
    private readonly load: () => Promise<T>,
    private readonly ttlMs: number,
  ) {}

  async get(now = Date.now()): Promise<T> {
    if (this.value !== undefined && now - this.loadedAt < this.ttlMs) return this.value;
    return this.reload(now);
  }

  /** Loads now, whatever the age of the copy (concurrent calls share one load). */
  reload(now = Date.now()): Promise<T> {
    this.loading ??= this.load()
      .then((value) => {
        this.value = value;
        this.loadedAt = now;
        return value;
      })
      .finally(() => {
        this.loading = null;
      });
    return this.loading;
  }

  invalidate() {
    this.loadedAt = -Infinity;
  }
}
