import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bookStream } from './fixtures/book-messages.js';
import { runSuite } from './run-benchmarks.js';
import { SUITES } from './suite-registry.js';

describe('books suite --smoke', () => {
  it('runs in its own process: every venue checked byte-identical, timed, and its targets reported', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'marketpipe-bench-books-'));
    try {
      const spec = SUITES.find((suite) => suite.id === 'books');
      expect(spec).toBeDefined();
      const result = await runSuite(spec!, join(outDir, 'books.json'), true);
      expect(result.suite).toBe('books');
      expect(result.smoke).toBe(true);
      const [paths, consumer, trade] = result.tables;
      expect(paths!.rows.map((row) => row[0])).toEqual(['binance', 'coinbase', 'kraken', 'bybit', 'okx']);
      expect(consumer!.rows).toHaveLength(5);
      expect(trade!.rows).toHaveLength(4);
      // The trade comparison ran one stack per process, and says what each process measured.
      expect((trade!.notes ?? []).join(' ')).toMatch(
        /p50 per process, in the order they ran: trades only [^;]+; wired \S/,
      );
      for (const table of result.tables)
        for (const row of table.rows) expect(row).toHaveLength(table.columns.length);
      for (const venue of ['binance', 'coinbase', 'kraken', 'bybit', 'okx']) {
        expect(result.metrics[`${venue}.marketpipeNs`]).toBeGreaterThan(0);
        expect(result.metrics[`${venue}.naiveNs`]).toBeGreaterThan(0);
        expect(result.metrics[`${venue}.orderBookApplyNs`]).toBeGreaterThan(0);
      }
      expect(result.targets.map((t) => t.name)).toEqual([
        ...['binance', 'coinbase', 'kraken', 'bybit', 'okx'].map(
          (venue) => `book path vs naive (JSON.parse + Map book + capnp-es), ${venue}`,
        ),
        'trade hot path (Binance, p50) with the book path wired into the runner vs without',
      ]);
      expect(result.metrics['trade.withBooksP50Ns']).toBeGreaterThan(0);
      expect(result.metrics['trade.booksWiredP50Ns']).toBeGreaterThan(0);
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('bookStream', () => {
  it('is deterministic and writes each venue in its own shape, snapshots first', () => {
    const a = bookStream('okx', 64);
    const b = bookStream('okx', 64);
    expect(a.messages.map((m) => m.text)).toEqual(b.messages.map((m) => m.text));
    expect(a.messages.slice(0, a.snapshots).every((m) => m.snapshot)).toBe(true);
    expect(a.messages.slice(a.snapshots).some((m) => m.snapshot)).toBe(false);
    const okx = JSON.parse(a.messages[a.snapshots]!.text);
    expect(okx.action).toBe('update');
    expect(okx.data[0].checksum).not.toBe(0);
    const binance = bookStream('binance', 16);
    expect(binance.messages[0]!.kind).toBe('rest');
    expect(JSON.parse(binance.messages[binance.snapshots]!.text).data.e).toBe('depthUpdate');
    const kraken = bookStream('kraken', 16);
    expect(
      kraken.messages[kraken.snapshots]!.text.startsWith(
        '{"channel":"book","type":"update","data":[{"symbol":',
      ),
    ).toBe(true);
  });
});
