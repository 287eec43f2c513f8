import { describe, expect, it } from 'vitest';
import { GapDetector, SequenceCheck } from './gap-detector.js';

describe('GapDetector', () => {
  it('accepts a contiguous sequence', () => {
    const gaps = new GapDetector();
    expect(gaps.observe(0, 100, 100)).toBe(SequenceCheck.first);
    for (let id = 101; id < 200; id++) expect(gaps.observe(0, id, id)).toBe(SequenceCheck.contiguous);
    expect(gaps.totalMissing).toBe(0);
    expect(gaps.lastId(0)).toBe(199);
  });

  it('counts missing ids and gap events per ticker and calls the hook', () => {
    const events: number[][] = [];
    const gaps = new GapDetector({
      onGap: (t, first, count, across) => events.push([t, first, count, across ? 1 : 0]),
    });
    gaps.observe(3, 10, 10);
    expect(gaps.observe(3, 14, 14)).toBe(SequenceCheck.gap);
    expect(gaps.observe(3, 15, 15)).toBe(SequenceCheck.contiguous);
    expect(gaps.observe(3, 20, 20)).toBe(SequenceCheck.gap);
    gaps.observe(1, 5, 5);
    expect(gaps.missingCount(3)).toBe(3 + 4);
    expect(gaps.gapCount(3)).toBe(2);
    expect(gaps.missingCount(1)).toBe(0);
    expect(events).toEqual([
      [3, 11, 3, 0],
      [3, 16, 4, 0],
    ]);
  });

  it('tells duplicates from late (out-of-order) ids, separately from gaps', () => {
    const gaps = new GapDetector();
    gaps.observe(0, 1, 1);
    gaps.observe(0, 2, 2);
    expect(gaps.observe(0, 2, 2)).toBe(SequenceCheck.duplicate);
    expect(gaps.observe(0, 5, 5)).toBe(SequenceCheck.gap);
    expect(gaps.observe(0, 4, 4)).toBe(SequenceCheck.late);
    expect(gaps.observe(0, 4, 4)).toBe(SequenceCheck.duplicate);
    expect(gaps.observe(0, 3, 3)).toBe(SequenceCheck.late);
    expect(gaps.duplicateCount(0)).toBe(2);
    expect(gaps.lateCount(0)).toBe(2);
    // The gap's two ids both came late: nothing is missing any more, the gap event stays counted.
    expect(gaps.missingCount(0)).toBe(0);
    expect(gaps.totalMissing).toBe(0);
    expect(gaps.gapCount(0)).toBe(1);
    expect(gaps.lastId(0)).toBe(5);
  });

  it('takes late ids off the missing count only when a gap had counted them', () => {
    const gaps = new GapDetector();
    // 100, 102, 101, 103, 103: one gap filled late, one duplicate; nothing lost.
    for (const id of [100, 102, 101, 103, 103]) gaps.observe(0, id, id);
    expect([gaps.totalGaps, gaps.totalMissing, gaps.totalLate, gaps.totalDuplicates]).toEqual([1, 0, 1, 1]);
    // A ticker whose first trade was 50: an id below it is late but was never missing, so missing stays 0.
    gaps.observe(1, 50, 50);
    expect(gaps.observe(1, 49, 49)).toBe(SequenceCheck.late);
    expect(gaps.missingCount(1)).toBe(0);
    // A gap of 3, one of its ids late: 2 still missing.
    gaps.observe(1, 54, 54);
    gaps.observe(1, 52, 52);
    expect(gaps.missingCount(1)).toBe(2);
    expect(gaps.totalMissing).toBe(2);
  });

  it('compares across a reconnect and flags the gap; a resubscribe replay counts as duplicates', () => {
    const flags: boolean[] = [];
    const gaps = new GapDetector({ onGap: (_t, _f, _c, across) => flags.push(across) });
    for (let id = 1; id <= 60; id++) gaps.observe(0, id, id);
    gaps.onReconnect();
    // Kraken-style snapshot replay of the last 50 trades, then live trades with a gap.
    for (let id = 11; id <= 60; id++) expect(gaps.observe(0, id, id)).toBe(SequenceCheck.duplicate);
    expect(gaps.observe(0, 65, 65)).toBe(SequenceCheck.gap);
    expect(gaps.duplicateCount(0)).toBe(50);
    expect(gaps.missingCount(0)).toBe(4);
    // The replayed duplicates consumed the reconnect flag only for the first comparison.
    expect(flags).toEqual([false]);
    gaps.onReconnect();
    expect(gaps.observe(0, 70, 70)).toBe(SequenceCheck.gap);
    expect(flags).toEqual([false, true]);
    expect(gaps.totalGapsAcrossReconnect).toBe(1);
  });

  it('exposes its totals read-only', () => {
    const gaps = new GapDetector();
    gaps.observe(0, 1, 1);
    gaps.observe(0, 4, 4);
    expect(() => {
      (gaps as unknown as { totalMissing: number }).totalMissing = 0;
    }).toThrow(TypeError);
    expect(gaps.totalMissing).toBe(2);
    expect(gaps.totalGaps).toBe(1);
  });

  it('reset starts a fresh sequence for one ticker only', () => {
    const gaps = new GapDetector();
    gaps.observe(0, 100, 100);
    gaps.observe(1, 100, 100);
    gaps.reset(0);
    expect(gaps.observe(0, 5, 5)).toBe(SequenceCheck.first);
    expect(gaps.observe(1, 5, 5)).toBe(SequenceCheck.duplicate);
  });

  it('checks OKX count arithmetic: prev tradeId + count == current tradeId', () => {
    const gaps = new GapDetector();
    // tradeId 123 count 3 covers 121..123; tradeId 125 count 2 covers 124..125.
    expect(gaps.observe(0, 123 - 3 + 1, 123)).toBe(SequenceCheck.first);
    expect(gaps.observe(0, 125 - 2 + 1, 125)).toBe(SequenceCheck.contiguous);
    // tradeId 130 count 1: 126..129 missing.
    expect(gaps.observe(0, 130, 130)).toBe(SequenceCheck.gap);
    expect(gaps.missingCount(0)).toBe(4);
    // A partly overlapping aggregate counts the overlap as duplicates and advances.
    expect(gaps.observe(0, 129, 132)).toBe(SequenceCheck.late);
    expect(gaps.duplicateCount(0)).toBe(1);
    expect(gaps.lateCount(0)).toBe(1);
    expect(gaps.lastId(0)).toBe(132);
    expect(gaps.observe(0, 133, 133)).toBe(SequenceCheck.contiguous);
  });

  it('ignores ranges it cannot track and grows for large ticker ids', () => {
    const gaps = new GapDetector({ initialTickers: 2 });
    expect(gaps.observe(0, -1, -1)).toBe(SequenceCheck.untracked);
    expect(gaps.observe(0, 5, 4)).toBe(SequenceCheck.untracked);
    expect(gaps.observe(-1, 1, 1)).toBe(SequenceCheck.untracked);
    expect(gaps.observe(1000, 1, 1)).toBe(SequenceCheck.first);
    expect(gaps.observe(1000, 3, 3)).toBe(SequenceCheck.gap);
    expect(gaps.missingCount(1000)).toBe(1);
    expect(gaps.observe(0, 1, 1)).toBe(SequenceCheck.first);
  });

  it('counts old ids below the 32-id window as duplicates without looping over huge ranges', () => {
    const gaps = new GapDetector();
    gaps.observe(0, 1_000_000_000, 1_000_000_000);
    expect(gaps.observe(0, 0, 999_999_000)).toBe(SequenceCheck.duplicate);
    expect(gaps.duplicateCount(0)).toBe(999_999_001);
  });
});
