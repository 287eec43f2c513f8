import { describe, expect, it } from 'vitest';
import { InvalidSubjectError } from '../errors.js';
import { PublishTargetCache } from './publish-target-cache.js';

describe('PublishTargetCache', () => {
  it('validates a subject once and hands out the same target afterwards', () => {
    const seen: string[] = [];
    const targets = new PublishTargetCache(10, (subject) => seen.push(subject));
    const first = targets.get('trades.binance.BTCUSDT');
    expect(first.subject).toBe('trades.binance.BTCUSDT');
    expect(targets.get('trades.binance.BTCUSDT')).toBe(first);
    expect(targets.resolve('trades.binance.BTCUSDT')).toBe(first);
    expect(targets.resolve(first)).toBe(first);
    expect(seen).toEqual(['trades.binance.BTCUSDT']);
  });

  it('looks up a foreign target by its subject instead of trusting it', () => {
    const targets = new PublishTargetCache(10);
    const other = new PublishTargetCache(10).get('trades.a');
    const own = targets.resolve(other);
    expect(own).not.toBe(other);
    expect(own.subject).toBe('trades.a');
    expect(targets.resolve({ subject: 'trades.a' })).toBe(own);
    expect(() => targets.resolve({ subject: 'trades.*' })).toThrow(InvalidSubjectError);
  });

  it('checks the NATS rules before the extra check, and caches nothing refused', () => {
    const refused = new Error('not captured');
    const seen: string[] = [];
    const targets = new PublishTargetCache(10, (subject) => {
      seen.push(subject);
      if (subject.startsWith('other.')) throw refused;
    });
    expect(() => targets.get('trades..x')).toThrow(InvalidSubjectError);
    expect(() => targets.get('other.x')).toThrow(refused);
    expect(() => targets.get('other.x')).toThrow(refused);
    expect(seen).toEqual(['other.x', 'other.x']);
  });

  it('keeps validating subjects beyond the cache limit, returning a fresh target each time', () => {
    let checks = 0;
    const targets = new PublishTargetCache(1, () => {
      checks++;
    });
    const cached = targets.get('a');
    const uncached = targets.get('b');
    expect(targets.get('a')).toBe(cached);
    expect(targets.get('b')).not.toBe(uncached);
    expect(targets.get('b').subject).toBe('b');
    expect(targets.resolve(uncached)).toBe(uncached);
    expect(checks).toBe(4);
  });
});
