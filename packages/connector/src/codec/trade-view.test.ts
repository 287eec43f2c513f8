import { describe, expect, it } from 'vitest';
import { CapnpFormatError } from '../errors.js';
import { type TradeData, TradeSide } from './trade-data.js';
import { TradeEncoder } from './trade-encoder.js';
import { TradeView } from './trade-view.js';

/** One 64-bit word as its low and high 32-bit halves. */
type Word = [low: number, high: number];

const trade: TradeData = {
  timestampNanos: 1_700_000_000_123_456_789n,
  receivedNanos: 1_700_000_000_124_000_000n,
  ticker: 'ETH-USD',
  price: 2_000.25,
  size: 0.5,
  side: TradeSide.sell,
  tradeId: '42',
};

function structPointer(offsetWords: number, dataWords: number, pointers: number): Word {
  return [offsetWords << 2, dataWords | (pointers << 16)];
}

function textPointer(offsetWords: number, byteCountWithNul: number, elementSize = 2): Word {
  return [(offsetWords << 2) | 1, (byteCountWithNul << 3) | elementSize];
}

function f64(value: number): Word {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value, true);
  return [view.getUint32(0, true), view.getUint32(4, true)];
}

/** UTF-8 text plus NUL, padded to whole words. */
function textWords(text: string): Word[] {
  const bytes = new TextEncoder().encode(text);
  const padded = new Uint8Array((bytes.length + 8) & ~7);
  padded.set(bytes);
  const view = new DataView(padded.buffer);
  const words: Word[] = [];
  for (let at = 0; at < padded.length; at += 8)
    words.push([view.getUint32(at, true), view.getUint32(at + 4, true)]);
  return words;
}

/** A framed single-segment message; `header` overrides the framing word. */
function message(segment: Word[], header: Word = [0, segment.length]): Uint8Array {
  const bytes = new Uint8Array(8 + segment.length * 8);
  const view = new DataView(bytes.buffer);
  [header, ...segment].forEach(([low, high], i) => {
    view.setUint32(i * 8, low >>> 0, true);
    view.setUint32(i * 8 + 4, high >>> 0, true);
  });
  return bytes;
}

function encoded(t: TradeData = trade): Uint8Array {
  const encoder = new TradeEncoder();
  encoder.encode(t);
  return encoder.bytes.slice();
}

function formatError(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(err instanceof CapnpFormatError, String(err)).toBe(true);
    expect((err as CapnpFormatError).name).toBe('CapnpFormatError');
    return (err as Error).message;
  }
  return expect.unreachable('expected a CapnpFormatError');
}

describe('TradeView', () => {
  it('reads every field of an encoded trade, and wraps in the constructor', () => {
    const view = new TradeView(encoded());
    expect(view.toTradeData()).toEqual(trade);
    expect(view.tickerBytes).toEqual(new TextEncoder().encode('ETH-USD'));
    expect(view.byteLength).toBe(encoded().length);
  });

  it('reads a segment larger than the message needs, as arena-based writers send', () => {
    const bytes = encoded();
    const roomy = new Uint8Array(bytes.length + 24);
    roomy.set(bytes);
    new DataView(roomy.buffer).setUint32(4, (roomy.length - 8) / 8, true);
    const view = new TradeView().wrap(roomy);
    expect(view.toTradeData()).toEqual(trade);
    expect(view.byteLength).toBe(roomy.length);
  });

  it('follows pointers wherever the writer put the struct and the texts', () => {
    // Texts first, struct last: both text pointers have negative offsets.
    const idWords = textWords('id-9');
    const tickerWords = textWords('a ticker longer than a word');
    const textsEnd = 1 + idWords.length + tickerWords.length;
    const pointersAt = textsEnd + 5;
    const segment: Word[] = [
      structPointer(textsEnd - 1, 5, 2),
      ...idWords,
      ...tickerWords,
      [1, 0],
      [2, 0],
      f64(3.5),
      f64(-0),
      [TradeSide.unknown, 0],
      textPointer(1 + idWords.length - (pointersAt + 1), 28),
      textPointer(1 - (pointersAt + 2), 5),
    ];
    const view = new TradeView(message(segment));
    expect(view.toTradeData()).toEqual({
      timestampNanos: 1n,
      receivedNanos: 2n,
      ticker: 'a ticker longer than a word',
      price: 3.5,
      size: -0,
      side: TradeSide.unknown,
      tradeId: 'id-9',
    });
  });

  it('reads defaults for fields an older, smaller struct does not have', () => {
    const segment: Word[] = [structPointer(0, 2, 1), [7, 0], [8, 0], textPointer(0, 4), ...textWords('BTC')];
    expect(new TradeView(message(segment)).toTradeData()).toEqual({
      timestampNanos: 7n,
      receivedNanos: 8n,
      ticker: 'BTC',
      price: 0,
      size: 0,
      side: TradeSide.buy,
      tradeId: '',
    });
  });

  it('ignores fields a newer, larger struct adds', () => {
    const segment: Word[] = [
      structPointer(0, 6, 3),
      [0, 1],
      [0, 2],
      f64(1),
      f64(2),
      [TradeSide.sell, 0],
      [0xdead, 0xbeef],
      textPointer(2, 2),
      textPointer(2, 2),
      textPointer(2, 2),
      ...textWords('T'),
      ...textWords('I'),
      ...textWords('X'),
    ];
    expect(new TradeView(message(segment)).toTradeData()).toEqual({
      timestampNanos: 2n ** 32n,
      receivedNanos: 2n ** 33n,
      ticker: 'T',
      price: 1,
      size: 2,
      side: TradeSide.sell,
      tradeId: 'I',
    });
  });

  it('reads a null root and null text pointers as defaults', () => {
    expect(new TradeView(message([[0, 0]])).toTradeData()).toEqual({
      timestampNanos: 0n,
      receivedNanos: 0n,
      ticker: '',
      price: 0,
      size: 0,
      side: TradeSide.buy,
      tradeId: '',
    });
    const nullTexts: Word[] = [
      structPointer(0, 5, 2),
      [1, 0],
      [1, 0],
      f64(1),
      f64(1),
      [1, 0],
      [0, 0],
      [0, 0],
    ];
    const view = new TradeView(message(nullTexts));
    expect([view.ticker, view.tradeId, view.tickerBytes.length]).toEqual(['', '', 0]);
  });

  it('reads side values this schema does not define as unknown', () => {
    const bytes = encoded();
    new DataView(bytes.buffer).setUint16(48, 7, true);
    expect(new TradeView(bytes).side).toBe(TradeSide.unknown);
  });

  it('reads a message inside a larger buffer given offset and length', () => {
    const bytes = encoded();
    const big = new Uint8Array(bytes.length + 11).fill(0xff);
    big.set(bytes, 5);
    const window = big.subarray(2);
    expect(new TradeView(window, 3, bytes.length).toTradeData()).toEqual(trade);
  });
});

describe('TradeView rejects malformed messages', () => {
  const valid = encoded();
  const view = new TradeView();

  function patched(at: number, value: number): Uint8Array {
    const copy = valid.slice();
    new DataView(copy.buffer).setUint32(at, value >>> 0, true);
    return copy;
  }

  it('rejects ranges outside the input', () => {
    expect(formatError(() => view.wrap(valid, -1))).toMatch(/outside/);
    expect(formatError(() => view.wrap(valid, 8, valid.length))).toMatch(/outside/);
    expect(formatError(() => view.wrap(valid, 0.5))).toMatch(/outside/);
    expect(formatError(() => view.wrap(valid, 0, 7))).toMatch(/framing/);
  });

  it('rejects multi-segment messages and segments past the end', () => {
    expect(formatError(() => view.wrap(patched(0, 1)))).toMatch(/2 segments/);
    expect(formatError(() => view.wrap(patched(4, 100)))).toMatch(/overruns/);
    expect(formatError(() => view.wrap(message([], [0, 0])))).toMatch(/root pointer/);
  });

  it('rejects a root that is not an in-bounds struct', () => {
    expect(formatError(() => view.wrap(patched(8, 1)))).toMatch(/kind 1/); // list
    expect(formatError(() => view.wrap(patched(8, 2)))).toMatch(/kind 2/); // far pointer
    expect(formatError(() => view.wrap(patched(8, 4 << 2)))).toMatch(/outside the segment/);
    expect(formatError(() => view.wrap(patched(8, -2 << 2)))).toMatch(/outside the segment/);
    expect(formatError(() => view.wrap(patched(12, 5 | (200 << 16))))).toMatch(/outside the segment/);
  });

  it('rejects text pointers of the wrong kind, size or bounds, and unterminated texts', () => {
    const tickerPointer = 56;
    expect(formatError(() => view.wrap(patched(tickerPointer, 4)))).toMatch(/ticker pointer has kind 0/);
    expect(formatError(() => view.wrap(patched(tickerPointer + 4, (8 << 3) | 3)))).toMatch(/element size 3/);
    expect(formatError(() => view.wrap(patched(tickerPointer, (-9 << 2) | 1)))).toMatch(
      /ticker text lies outside/,
    );
    expect(formatError(() => view.wrap(patched(tickerPointer + 4, (200 << 3) | 2)))).toMatch(/outside/);
    expect(formatError(() => view.wrap(patched(tickerPointer + 4, 2)))).toMatch(/not NUL-terminated/);
    expect(formatError(() => view.wrap(patched(tickerPointer + 4, (7 << 3) | 2)))).toMatch(
      /not NUL-terminated/,
    );
    expect(formatError(() => view.wrap(patched(64 + 4, (9 << 3) | 2)))).toMatch(/tradeId text/);
  });

  it('is empty after a failed wrap, never half-updated', () => {
    view.wrap(valid);
    expect(view.ticker).toBe('ETH-USD');
    formatError(() => view.wrap(patched(64, (-40 << 2) | 1)));
    expect([view.byteLength, view.ticker, view.tradeId, view.price, view.timestampNanos]).toEqual([
      0,
      '',
      '',
      0,
      0n,
    ]);
  });
});
