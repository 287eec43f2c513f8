import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from '@marketpipe/middleware/errors';
import { waitFor } from '@marketpipe/test-support/wait-for';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MessageHandlerError,
  ReplayFileError,
  ReplayLineTooLongError,
  SourceStateError,
} from '../../src/errors.js';
import { type LineReplayOptions, LineReplaySource } from '../../src/sources/line-replay-source.js';
import type { SourceEvent } from '../../src/sources/message-source.js';

let dir = '';
let fileNumber = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'marketpipe-replay-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(content: Buffer | string): Promise<string> {
  const path = join(dir, `replay-${fileNumber++}.txt`);
  await writeFile(path, content);
  return path;
}

interface Replayed {
  source: LineReplaySource;
  lines: Buffer[];
  times: [number, number][];
  events: SourceEvent[];
}

async function replay(options: LineReplayOptions): Promise<Replayed> {
  const source = new LineReplaySource(options);
  const lines: Buffer[] = [];
  const times: [number, number][] = [];
  const events: SourceEvent[] = [];
  source.onMessage((bytes) => {
    lines.push(Buffer.from(bytes));
    times.push([source.recordedTimeMs, source.recordedSubMsNanos]);
  });
  source.onEvent((event) => events.push(event));
  source.start();
  await source.done;
  return { source, lines, times, events };
}

const INVALID_UTF8 = Buffer.from([0x7b, 0xff, 0xfe, 0x80, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0x7d]);

describe('LineReplaySource', () => {
  it('delivers lines byte-exact: invalid UTF-8, CRLF, empty lines skipped and counted, no final newline', async () => {
    const content = Buffer.concat([
      Buffer.from('{"a":1}\n'),
      INVALID_UTF8,
      Buffer.from('\r\n\n\r\n{"b":"é"}\r\n\n'),
      Buffer.from('x\ry\n'),
      Buffer.from('{"last":true}'),
    ]);
    const expected = [
      Buffer.from('{"a":1}'),
      INVALID_UTF8,
      Buffer.from('{"b":"é"}'),
      Buffer.from('x\ry'),
      Buffer.from('{"last":true}'),
    ];
    const path = await file(content);
    for (const chunkBytes of [1, 3, 7, 64, 1024 * 1024]) {
      const { source, lines } = await replay({ path, chunkBytes });
      expect(lines, `chunkBytes ${chunkBytes}`).toEqual(expected);
      expect(source.status()).toMatchObject({
        state: 'done',
        format: 'raw',
        messages: 5,
        lines: 8,
        emptyLines: 3,
        unprefixedLines: 0,
        bytesRead: content.length,
        bytes: expected.reduce((sum, line) => sum + line.length, 0),
        errors: 0,
      });
    }
  });

  it('delivers a 10 MB line byte-exact between ordinary lines', async () => {
    const big = randomBytes(10 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) if (big[i] === 0x0a) big[i] = 0x20;
    // A trailing \r would be taken for CRLF.
    big[big.length - 1] = 0x41;
    const path = await file(Buffer.concat([Buffer.from('first\n'), big, Buffer.from('\nlast\n')]));
    const { lines } = await replay({ path });
    expect(lines.length).toBe(3);
    expect(lines[0]?.toString()).toBe('first');
    expect(lines[1]?.equals(big)).toBe(true);
    expect(lines[2]?.toString()).toBe('last');
  });

  it('matches a reference split for random lines and chunk sizes', async () => {
    const line = fc
      .uint8Array({ maxLength: 40 })
      .map((bytes) => Buffer.from(bytes.map((b) => (b === 0x0a ? 0x20 : b))))
      .filter((bytes) => bytes[bytes.length - 1] !== 0x0d);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(line, fc.boolean()), { maxLength: 30 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 50 }),
        async (entries, finalNewline, chunkBytes) => {
          const parts = entries.map(([bytes, crlf], i) =>
            Buffer.concat([
              bytes,
              Buffer.from(crlf ? '\r' : ''),
              Buffer.from(i < entries.length - 1 || finalNewline ? '\n' : ''),
            ]),
          );
          const path = await file(Buffer.concat(parts));
          const { lines, source } = await replay({ path, chunkBytes, format: 'raw' });
          const expected = entries.map(([bytes]) => bytes).filter((bytes) => bytes.length > 0);
          expect(lines).toEqual(expected);
          // An empty last entry with no \r and no final \n is not a line at all: the file just ends.
          const last = entries[entries.length - 1];
          const phantom = !finalNewline && last !== undefined && last[0].length === 0 && !last[1] ? 1 : 0;
          expect(source.status().emptyLines).toBe(entries.length - expected.length - phantom);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('detects cryptofeed captures: strips the prefix, skips header and client lines', async () => {
    const capture = [
      'wss://ws-feed.pro.coinbase.com <-> 1618677816.8434298',
      'wss://ws-feed.pro.coinbase.com <- 1618677817.020616: {"type":"subscribe","product_ids":["SKL-USD"],"channels":["matches"]}',
      '1618677817.061845: {"type":"subscriptions","channels":[]}',
      '1618677817.1295161: {"type":"match","trade_id":280232,"price":"0.00001305","product_id":"SKL-BTC"}',
      '1618677817: {"type":"heartbeat"}',
      '',
    ].join('\n');
    const { source, lines, times } = await replay({ path: await file(capture), chunkBytes: 16 });
    expect(lines.map(String)).toEqual([
      '{"type":"subscriptions","channels":[]}',
      '{"type":"match","trade_id":280232,"price":"0.00001305","product_id":"SKL-BTC"}',
      '{"type":"heartbeat"}',
    ]);
    expect(times).toEqual([
      [1618677817061, 845_000],
      [1618677817129, 516_100],
      [1618677817000, 0],
    ]);
    expect(source.status()).toMatchObject({
      format: 'seconds',
      unprefixedLines: 2,
      emptyLines: 0,
      messages: 3,
    });
  });

  it('detects hftbacktest µs and ns prefixes', async () => {
    const micros = [
      '1660228023043260 {"stream":"btcusdt@trade","data":{"t":2691833663}}',
      '1660228023052991 {"stream":"btcusdt@trade","data":{"t":2691833664}}',
    ].join('\n');
    const us = await replay({ path: await file(micros) });
    expect(us.source.status().format).toBe('micros');
    expect(us.lines.map(String)).toEqual([
      '{"stream":"btcusdt@trade","data":{"t":2691833663}}',
      '{"stream":"btcusdt@trade","data":{"t":2691833664}}',
    ]);
    expect(us.times).toEqual([
      [1660228023043, 260_000],
      [1660228023052, 991_000],
    ]);

    const ns = await replay({
      path: await file('1660228023043260123 {"x":1}\r\n1660228023043260999 {"x":2}\r\n'),
    });
    expect(ns.source.status().format).toBe('nanos');
    expect(ns.lines.map(String)).toEqual(['{"x":1}', '{"x":2}']);
    expect(ns.times).toEqual([
      [1660228023043, 260_123],
      [1660228023043, 260_999],
    ]);
  });

  it('takes the shape most of the first lines have: one timestamp-led line does not make a raw file prefixed', async () => {
    const raw = Array.from({ length: 8 }, (_, i) => `{"e":"trade","t":${100 + i}}`);
    raw.splice(4, 0, '1660228023043260 junk line from a log');
    const mixed = await replay({ path: await file(`${raw.join('\n')}\n`) });
    expect(mixed.source.status()).toMatchObject({ format: 'raw', messages: 9, unprefixedLines: 0 });
    expect(mixed.lines.map(String)).toEqual(raw);

    // A prefixed capture with as many header lines as data lines stays prefixed (a tie goes to the prefix).
    const capture = await replay({
      path: await file('header one\n\nheader two\n1660228023043260 {"x":1}\n1660228023043261 {"x":2}\n'),
    });
    expect(capture.source.status()).toMatchObject({ format: 'micros', unprefixedLines: 2, emptyLines: 1 });
    expect(capture.lines.map(String)).toEqual(['{"x":1}', '{"x":2}']);
  });

  it('keeps prefixes when told the file is raw, and NaN receive times', async () => {
    const { lines, times, source } = await replay({
      path: await file('1660228023043260 {"x":1}\n'),
      format: 'raw',
    });
    expect(lines.map(String)).toEqual(['1660228023043260 {"x":1}']);
    expect(times).toEqual([[Number.NaN, 0]]);
    expect(source.status().format).toBe('raw');
  });

  it('paces lines at the recorded gaps, scaled by speed', async () => {
    const origin = 1_700_000_000_000_000;
    const gapsMs = [0, 100, 200, 300, 400];
    const path = await file(gapsMs.map((gap, i) => `${origin + gap * 1000} {"n":${i}}\n`).join(''));
    const source = new LineReplaySource({ path, pace: 'recorded', speed: 2 });
    const arrivals: number[] = [];
    source.onMessage(() => arrivals.push(performance.now()));
    const startedAt = performance.now();
    source.start();
    expect(await source.done).toEqual({ reason: 'end' });
    expect(arrivals.length).toBe(5);
    const first = arrivals[0] as number;
    gapsMs.forEach((gap, i) => {
      // Timers never fire early (1 ms of rounding slack); lateness is not asserted: the machine is shared.
      expect((arrivals[i] as number) - first, `line ${i}`).toBeGreaterThanOrEqual(gap / 2 - 1);
    });
    expect(performance.now() - startedAt).toBeLessThan(5000);
  });

  it('ignores recorded gaps in fast pace', async () => {
    const origin = 1_700_000_000_000_000;
    const path = await file(
      [0, 30_000, 60_000].map((gap, i) => `${origin + gap * 1000} {"n":${i}}\n`).join(''),
    );
    const startedAt = performance.now();
    const { lines } = await replay({ path });
    expect(lines.length).toBe(3);
    expect(performance.now() - startedAt).toBeLessThan(10_000);
  });

  it('yields to the event loop between chunks in fast pace', async () => {
    const path = await file(`${'{"trade":1234567890}\n'.repeat(20_000)}`);
    const source = new LineReplaySource({ path, chunkBytes: 64 * 1024 });
    let messagesWhenOtherWorkRan = -1;
    source.onMessage(() => {
      if (messagesWhenOtherWorkRan === -1) {
        messagesWhenOtherWorkRan = 0;
        setImmediate(() => {
          messagesWhenOtherWorkRan = source.status().messages;
        });
      }
    });
    source.start();
    await source.done;
    expect(source.status().messages).toBe(20_000);
    expect(messagesWhenOtherWorkRan).toBeGreaterThan(0);
    expect(messagesWhenOtherWorkRan).toBeLessThan(20_000);
  });

  it('stop() interrupts a paced wait and ends with reason stopped', async () => {
    const path = await file('1700000000000000 {"n":0}\n1700000060000000 {"n":1}\n');
    const source = new LineReplaySource({ path, pace: 'recorded' });
    const lines: string[] = [];
    source.onMessage((bytes) => lines.push(Buffer.from(bytes).toString()));
    source.start();
    await waitFor('the first line', () => lines.length > 0, { timeoutMs: 10_000 });
    await source.stop();
    expect(await source.done).toEqual({ reason: 'stopped' });
    expect(lines).toEqual(['{"n":0}']);
    expect(source.status().state).toBe('stopped');
  });

  it('waits out a recorded gap longer than a Node timer holds (30 days) instead of firing at once', async () => {
    const thirtyDaysMicros = 30 * 24 * 3_600_000 * 1000;
    const path = await file(
      `1700000000000000 {"n":0}\n${1_700_000_000_000_000 + thirtyDaysMicros} {"n":1}\n`,
    );
    const source = new LineReplaySource({ path, pace: 'recorded' });
    const lines: string[] = [];
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning.name);
    };
    process.on('warning', onWarning);
    try {
      source.onMessage((bytes) => lines.push(Buffer.from(bytes).toString()));
      source.start();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(lines).toEqual(['{"n":0}']);
      await source.stop();
      expect(await source.done).toEqual({ reason: 'stopped' });
      expect(warnings).not.toContain('TimeoutOverflowWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('reports a missing file through done and an error event, without throwing', async () => {
    const { source, events } = await replay({ path: join(dir, 'does-not-exist') });
    const end = await source.done;
    expect(end.reason).toBe('error');
    expect(end.error instanceof ReplayFileError).toBe(true);
    expect(end.error?.cause).toMatchObject({ code: 'ENOENT' });
    expect(events).toEqual([{ type: 'error', error: end.error }]);
    expect(source.status()).toMatchObject({ state: 'failed', errors: 1 });
  });

  it('stops at a line beyond maxLineBytes, whether it spans reads or arrives in one', async () => {
    const path = await file(`ok\n${'x'.repeat(5000)}\nnever\n`);
    for (const chunkBytes of [256, 64 * 1024]) {
      const { source, lines } = await replay({ path, chunkBytes, maxLineBytes: 1024 });
      const end = await source.done;
      expect(end.reason, `chunkBytes ${chunkBytes}`).toBe('error');
      expect(end.error instanceof ReplayLineTooLongError).toBe(true);
      expect(lines.map(String)).toEqual(['ok']);
    }
  });

  it('survives a throwing handler and goes on with the next line', async () => {
    const path = await file('a\nb\nc\n');
    const source = new LineReplaySource({ path });
    const seen: string[] = [];
    const events: SourceEvent[] = [];
    source.onEvent((event) => events.push(event));
    source.onMessage((bytes) => {
      const line = Buffer.from(bytes).toString();
      seen.push(line);
      if (line === 'b') throw new Error('bad line');
    });
    source.start();
    expect(await source.done).toEqual({ reason: 'end' });
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(events.length).toBe(1);
    expect(events[0]?.type === 'error' && events[0].error instanceof MessageHandlerError).toBe(true);
    expect(source.status()).toMatchObject({ handlerErrors: 1, errors: 1, messages: 3 });
  });

  it('is single-use and validates its options', async () => {
    expect(() => new LineReplaySource({ path: 'x', speed: 0 })).toThrow(InvalidArgumentError);
    expect(() => new LineReplaySource({ path: 'x', chunkBytes: 0 })).toThrow(InvalidArgumentError);
    const source = new LineReplaySource({ path: await file('a\n') });
    source.start();
    expect(() => source.start()).toThrow(SourceStateError);
    await source.done;
    const unstarted = new LineReplaySource({ path: 'x' });
    await unstarted.stop();
    expect(await unstarted.done).toEqual({ reason: 'stopped' });
  });
});

describe('LineReplaySource backpressure', () => {
  const numbered = (count: number): string => Array.from({ length: count }, (_, i) => `m${i}\n`).join('');

  it('delivers nothing while the consumer is backed up, then every line in order', async () => {
    const path = await file(numbered(1000));
    for (const chunkBytes of [16, 1024 * 1024]) {
      const source = new LineReplaySource({ path, chunkBytes });
      const seen: string[] = [];
      let released = false;
      source.onMessage((bytes) => seen.push(Buffer.from(bytes).toString()));
      source.setBackpressure(() => seen.length >= 10 && !released);
      source.start();
      await waitFor('the first wait', () => source.status().pauses === 1);
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(seen.length, `chunkBytes ${chunkBytes}`).toBe(10);
      released = true;
      expect(await source.done).toEqual({ reason: 'end' });
      expect(seen).toEqual(Array.from({ length: 1000 }, (_, i) => `m${i}`));
      expect(source.status().pauses).toBe(1);
      expect(source.status().pausedMs).toBeGreaterThanOrEqual(25);
    }
  });

  it('stops promptly while waiting for the consumer', async () => {
    const source = new LineReplaySource({ path: await file(numbered(100)) });
    let delivered = 0;
    source.onMessage(() => delivered++);
    source.setBackpressure(() => true);
    source.start();
    await waitFor('the wait', () => source.status().pauses === 1);
    await source.stop();
    expect(await source.done).toEqual({ reason: 'stopped' });
    expect(delivered).toBe(1);
    // The wait ended with the stop: it no longer grows.
    const waited = source.status().pausedMs;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(source.status().pausedMs).toBe(waited);
  });
});
