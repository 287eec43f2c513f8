import { describe, expect, it } from 'vitest';
import { emptyStatus } from '../../test/support/cli-harness.js';
import { OptionReader } from '../options/option-reader.js';
import { resolveRunConfig } from '../options/run-config.js';
import { buildRunSummary, lossReasons, type RunSummaryInput } from './run-summary.js';
import { formatRunSummary } from './summary-text.js';

const secret = 'hunter2-secret';
const config = resolveRunConfig(
  new OptionReader({
    flags: { transport: 'nats://127.0.0.1:4222', natsUser: 'u', natsPass: secret },
    env: {},
    file: undefined,
    cwd: '/tmp',
  }),
  '/tmp',
);

function input(overrides: Partial<RunSummaryInput> = {}): RunSummaryInput {
  const status = { ...emptyStatus(), received: 10, trades: 8, nonTrade: 2, tradesPerSymbol: { BTCUSDT: 8 } };
  return {
    config,
    startedAtMs: Date.UTC(2025, 0, 2, 3, 4, 5),
    stoppedAtMs: Date.UTC(2025, 0, 2, 3, 4, 7),
    stopReason: 'SIGINT',
    final: { ...status, recordsWritten: 10, lost: 0 },
    lastStatus: undefined,
    error: undefined,
    ...overrides,
  };
}

describe('buildRunSummary', () => {
  it('is clean with exit code 0 when nothing was lost', () => {
    const summary = buildRunSummary(input());
    expect(summary).toMatchObject({
      outcome: 'clean',
      exitCode: 0,
      lossReasons: [],
      received: 10,
      trades: 8,
      nonTrade: 2,
      recordsWritten: 10,
      tradesPerSymbol: { BTCUSDT: 8 },
      durationMs: 2000,
      startedAt: '2025-01-02T03:04:05.000Z',
      stopReason: 'SIGINT',
      transport: 'nats nats://127.0.0.1:4222 (auth: user u)',
    });
  });

  it.each([
    [{ lost: 3 }, 'lost: 3'],
    [{ drops: { ringOverflow: 2, oversize: 0 } }, 'drops.ringOverflow: 2'],
    [{ transport: { status: 'closed' as const, published: 5, dropped: 1 } }, 'transport.dropped: 1'],
    // As the pipeline reports a transport's drops: in drops and in transport.dropped, named once.
    [
      { drops: { transportClosed: 4 }, transport: { status: 'closed' as const, published: 5, dropped: 4 } },
      'drops.transportClosed: 4',
    ],
    [{ gaps: { events: 1, missing: 4, late: 0, duplicates: 0, bySymbol: {} } }, 'gaps.missing: 4'],
  ])('exits 3 for %j', (change, reason) => {
    const base = input();
    const summary = buildRunSummary({
      ...base,
      final: { ...(base.final as NonNullable<typeof base.final>), ...change },
    });
    expect(summary.outcome).toBe('lost');
    expect(summary.exitCode).toBe(3);
    expect(summary.lossReasons).toEqual([reason]);
  });

  it('exits 1 on error, using the last status when the pipeline did not stop', () => {
    const summary = buildRunSummary(
      input({
        final: undefined,
        lastStatus: { ...emptyStatus(), received: 5, drops: { ringOverflow: 1 } },
        error: { code: 'ERR_X', message: 'disk on fire' },
        stopReason: 'error',
      }),
    );
    expect(summary).toMatchObject({ outcome: 'error', exitCode: 1, received: 5, error: { code: 'ERR_X' } });
    expect(summary.lossReasons).toEqual(['drops.ringOverflow: 1']);
  });

  it('holds no secret, as JSON or as text', () => {
    const summary = buildRunSummary(input());
    expect(JSON.stringify(summary)).not.toContain(secret);
    expect(formatRunSummary(summary)).not.toContain(secret);
  });

  it('prints every number and the exit code as text', () => {
    const text = formatRunSummary(
      buildRunSummary(
        input({ final: { ...emptyStatus(), drops: { oversize: 2 }, recordsWritten: 7, lost: 0 } }),
      ),
    );
    expect(text).toContain('drops         oversize 2');
    expect(text).toContain('recorded      7 records');
    expect(text).toContain('exit code     3 (something was lost or dropped)');
  });

  it('exits 2 when the pipeline refused an option at its start (an invalid argument), 1 for other errors', () => {
    const refused = buildRunSummary(
      input({
        final: undefined,
        lastStatus: emptyStatus(),
        error: {
          code: 'MP_ERR_INVALID_ARGUMENT',
          message: 'symbols BTC.USDT and BTC_USDT map to one subject',
        },
        stopReason: 'error',
      }),
    );
    expect(refused).toMatchObject({ outcome: 'error', exitCode: 2 });
    const failed = buildRunSummary(
      input({
        final: undefined,
        lastStatus: emptyStatus(),
        error: { code: 'MP_ERR_FLUSHER_WORKER', message: 'x' },
      }),
    );
    expect(failed.exitCode).toBe(1);
  });

  it('exits 1 when the venue was never reached, not 0 on an empty run', () => {
    const unreached = { ...emptyStatus() };
    unreached.source = { ...unreached.source, connections: 0, errors: 4 };
    const summary = buildRunSummary(input({ final: { ...unreached, recordsWritten: 0, lost: 0 } }));
    expect(summary).toMatchObject({
      outcome: 'error',
      exitCode: 1,
      error: { code: 'MP_ERR_VENUE_UNREACHED' },
    });
    expect(formatRunSummary(summary)).toContain('the venue was never reached');

    const reached = { ...unreached, source: { ...unreached.source, connections: 1 } };
    expect(buildRunSummary(input({ final: { ...reached, recordsWritten: 0, lost: 0 } })).exitCode).toBe(0);
    const quiet = { ...unreached, source: { ...unreached.source, errors: 0 } };
    expect(buildRunSummary(input({ final: { ...quiet, recordsWritten: 0, lost: 0 } })).exitCode).toBe(0);
  });

  it("shows a line replay's skipped lines, without making the run lossy", () => {
    const status = { ...emptyStatus(), received: 3 };
    status.source = { ...status.source, skippedLines: 2 };
    const summary = buildRunSummary(input({ final: { ...status, recordsWritten: 3, lost: 0 } }));
    expect(summary).toMatchObject({ replaySkippedLines: 2, outcome: 'clean', exitCode: 0 });
    expect(formatRunSummary(summary)).toContain(
      "received      3 messages (0 B); 2 replay lines skipped (empty, or without the file's timestamp prefix)",
    );
  });
});

describe('lossReasons', () => {
  it('ignores zero counters', () => {
    expect(lossReasons({ ...emptyStatus(), drops: { ringOverflow: 0 } }, 0)).toEqual([]);
  });
});
