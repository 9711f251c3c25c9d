import { Inject, Injectable } from '@nestjs/common';
import { eq } from 'drizzle-orm';
import { settings } from '../../models';
import { DATABASE, Database } from '../database/database';

/** Values generated once and shared by every process (VAPID keys, the link-signing secret). */
@Injectable()
export class SettingsService {
  private readonly cache = new Map<string, unknown>();

  constructor(@Inject(DATABASE) private readonly db: Database) {}

  /** The stored value, or `create()`'s, stored atomically: concurrent first starts agree on one value. */
  async getOrCreate<T>(key: string, create: () => T): Promise<T> {
    if (this.cache.has(key)) return this.cache.get(key) as T;
    await this.db.insert(settings).values({ key, value: create() }).onConflictDoNothing();
    const [row] = await this.db.select({ value: settings.value }).from(settings).where(eq(settings.key, key));
    this.cache.set(key, row.value);
    return row.value as T;
  }
}
