import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VenueLockedError } from '../errors.js';
import { acquireVenueLock } from './venue-lock.js';

describe('acquireVenueLock', () => {
  it('refuses a second holder with the first one pid, per venue, and frees the lock on release', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-venue-lock-'));
    const lock = await acquireVenueLock(dir, 'binance');
    expect(lock?.name).toMatch(/^marketpipe\/\d+\/\d+\/binance$/);
    const refused = await acquireVenueLock(dir, 'binance').catch((err: unknown) => err);
    expect(refused instanceof VenueLockedError).toBe(true);
    expect((refused as VenueLockedError).holder?.pid).toBe(process.pid);
    expect((refused as VenueLockedError).message).toContain(`by pid ${process.pid}`);

    const other = await acquireVenueLock(dir, 'kraken');
    await other?.release();
    await lock?.release();
    const again = await acquireVenueLock(dir, 'binance');
    await again?.release();
  });
});
