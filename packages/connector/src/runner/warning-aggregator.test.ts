import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_KEYS, WarningAggregator } from './warning-aggregator.js';

function collect() {
  const lines: { obj: Record<string, unknown>; msg: string | undefined }[] = [];
  return { lines, logger: { warn: (obj: object, msg?: string) => lines.push({ obj: { ...obj }, msg }) } };
}

describe('WarningAggregator', () => {
  it('logs the first event per key per interval, then one summary with exact counts and amounts', () => {
    const { lines, logger } = collect();
    const warnings = new WarningAggregator(logger, 5_000);
    const gaps = warnings.kind('trade id gap', 'symbol', 'missing');
    for (let i = 0; i < 10_000; i++)
      gaps.note(i % 2 === 0 ? 'BTCUSDT' : 'ETHUSDT', 1 + (i % 3), () => ({ i }));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toEqual({ obj: { symbol: 'BTCUSDT', i: 0, missing: 1 }, msg: 'trade id gap' });
    warnings.flush();
    expect(lines.slice(2).map((l) => [l.msg, l.obj.symbol, l.obj.suppressed, l.obj.intervalMs])).toEqual([
      ['trade id gap (summary)', 'BTCUSDT', 4_999, 5_000],
      ['trade id gap (summary)', 'ETHUSDT', 4_999, 5_000],
    ]);
    // Exact: full lines + suppressed = events; amounts sum to the total missing.
    const missing = lines.reduce((sum, line) => sum + Number(line.obj.missing), 0);
    let expected = 0;
    for (let i = 0; i < 10_000; i++) expected += 1 + (i % 3);
    expect(missing).toBe(expected);
  });

  it('starts a new interval after a flush and writes no summary for a key that had one event', () => {
    const { lines, logger } = collect();
    const warnings = new WarningAggregator(logger, 1_000);
    const drops = warnings.kind('message or trade dropped', 'cause');
    drops.note('oversize', 1);
    warnings.flush();
    expect(lines).toEqual([{ obj: { cause: 'oversize' }, msg: 'message or trade dropped' }]);
    drops.note('oversize', 1, () => ({ bytes: 9 }));
    expect(lines[1]).toEqual({ obj: { cause: 'oversize', bytes: 9 }, msg: 'message or trade dropped' });
  });

  it('evaluates the detail only for the logged event', () => {
    const { logger } = collect();
    const kind = new WarningAggregator(logger, 1_000).kind('x', 'key');
    let built = 0;
    for (let i = 0; i < 1_000; i++) kind.note('k', 1, () => ({ n: ++built }));
    expect(built).toBe(1);
  });

  it('tracks at most maxKeys keys per interval and tallies the rest in one overflow summary, exactly', () => {
    const { lines, logger } = collect();
    const warnings = new WarningAggregator(logger, 1_000);
    const unlisted = warnings.kind('ticker not in symbols', 'ticker', 'trades', 3);
    // 50 000 distinct keys (a feed of garbage tickers), each noted twice, amounts 1 and 2.
    for (let round = 1; round <= 2; round++) for (let i = 0; i < 50_000; i++) unlisted.note(`T${i}`, round);
    expect(lines.map((l) => l.obj.ticker)).toEqual(['T0', 'T1', 'T2']);
    warnings.flush();
    expect(lines.slice(3)).toEqual([
      {
        obj: { ticker: 'T0', suppressed: 1, intervalMs: 1_000, trades: 2 },
        msg: 'ticker not in symbols (summary)',
      },
      {
        obj: { ticker: 'T1', suppressed: 1, intervalMs: 1_000, trades: 2 },
        msg: 'ticker not in symbols (summary)',
      },
      {
        obj: { ticker: 'T2', suppressed: 1, intervalMs: 1_000, trades: 2 },
        msg: 'ticker not in symbols (summary)',
      },
      {
        obj: { overflow: true, maxKeys: 3, suppressed: 2 * 49_997, intervalMs: 1_000, trades: 3 * 49_997 },
        msg: 'ticker not in symbols (summary)',
      },
    ]);
    // Exact: full lines + every suppressed = events, and the amounts sum to the total.
    const events = lines.reduce(
      (sum, l) => sum + (l.obj.suppressed === undefined ? 1 : Number(l.obj.suppressed)),
      0,
    );
    expect(events).toBe(100_000);
    expect(lines.reduce((sum, l) => sum + Number(l.obj.trades), 0)).toBe(50_000 * 3);

    // The next interval starts empty: new keys are logged in full again, the overflow starts from zero.
    lines.length = 0;
    for (const key of ['T9', 'T8', 'T7', 'T6']) unlisted.note(key, 1);
    warnings.flush();
    expect(lines.map((l) => [l.obj.ticker, l.obj.overflow, l.obj.suppressed])).toEqual([
      ['T9', undefined, undefined],
      ['T8', undefined, undefined],
      ['T7', undefined, undefined],
      [undefined, true, 1],
    ]);
  });

  it('bounds every kind by default', () => {
    const { lines, logger } = collect();
    const warnings = new WarningAggregator(logger, 1_000);
    const collisions = warnings.kind('subject collision', 'subject');
    for (let i = 0; i < DEFAULT_MAX_KEYS + 5; i++) collisions.note(`s.${i}`, 1);
    warnings.flush();
    expect(lines).toHaveLength(DEFAULT_MAX_KEYS + 1);
    expect(lines.at(-1)?.obj).toMatchObject({ overflow: true, maxKeys: DEFAULT_MAX_KEYS, suppressed: 5 });
  });
});
