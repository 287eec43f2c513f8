import { describe, expect, it } from 'vitest';
import { WarningAggregator } from './warning-aggregator.js';

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
});
