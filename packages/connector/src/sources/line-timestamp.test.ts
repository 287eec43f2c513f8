import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectLineFormat, LinePrefixReader } from './line-timestamp.js';

function bytes(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

function detect(text: string) {
  const b = bytes(text);
  return detectLineFormat(b, 0, b.length);
}

describe('detectLineFormat', () => {
  it('recognises the cryptofeed, hftbacktest µs and ns shapes', () => {
    expect(detect('1618677817.061845: {"type":"subscriptions"}')).toBe('seconds');
    expect(detect('1618677817: {}')).toBe('seconds');
    expect(detect('1660228023043260 {"stream":"btcusdt@trade"}')).toBe('micros');
    expect(detect('1660228023043260123 {"x":1}')).toBe('nanos');
  });

  it('calls anything else raw', () => {
    for (const line of [
      '{"e":"trade","E":1672515782136}',
      'pong',
      '',
      'wss://ws-feed.pro.coinbase.com <-> 1618677816.8434298',
      '1660228023043260',
      '1660228023043 {"ms":"not supported"}',
      '16182: {"too":"short"}',
      '1618677817.5 {"no":"colon"}',
    ]) {
      expect(detect(line), line).toBe('raw');
    }
  });
});

describe('LinePrefixReader', () => {
  it('reads the message start and the receive time of each shape', () => {
    const seconds = new LinePrefixReader('seconds');
    const line = bytes('1618677817.0208309: {"a":1}');
    expect(seconds.read(line, 0, line.length)).toBe(line.indexOf('{'));
    expect([seconds.timeMs, seconds.subMsNanos]).toEqual([1618677817020, 830900]);

    const noSpace = bytes('1618677817.5:{"a":1}');
    expect(seconds.read(noSpace, 0, noSpace.length)).toBe(noSpace.indexOf('{'));
    expect([seconds.timeMs, seconds.subMsNanos]).toEqual([1618677817500, 0]);

    const micros = new LinePrefixReader('micros');
    const us = bytes('1660228023043260 {"b":2}');
    expect(micros.read(us, 0, us.length)).toBe(17);
    expect([micros.timeMs, micros.subMsNanos]).toEqual([1660228023043, 260_000]);

    const nanos = new LinePrefixReader('nanos');
    const ns = bytes('1660228023043260999 {"c":3}');
    expect(nanos.read(ns, 0, ns.length)).toBe(20);
    // Beyond 2^53 as one number, exact to the ns when split at the ms.
    expect([nanos.timeMs, nanos.subMsNanos]).toEqual([1660228023043, 260_999]);
  });

  it('reads within a larger buffer, honouring start and end', () => {
    const reader = new LinePrefixReader('micros');
    const buffer = bytes('xx1660228023043260 {"b":2}yy');
    expect(reader.read(buffer, 2, buffer.length - 2)).toBe(19);
    expect(reader.read(buffer, 2, 10)).toBe(-1);
  });

  it('rejects lines without the prefix', () => {
    const seconds = new LinePrefixReader('seconds');
    for (const line of ['wss://x <-> 1618677816.84', '{"a":1}', '1618677817.5 {}', '']) {
      const b = bytes(line);
      expect(seconds.read(b, 0, b.length), line).toBe(-1);
    }
    const micros = new LinePrefixReader('micros');
    for (const line of ['{"a":1}', '1660228023043260', '123 {}', 'x1660228023043260 {}']) {
      const b = bytes(line);
      expect(micros.read(b, 0, b.length), line).toBe(-1);
    }
  });

  it('passes raw lines through with a NaN time', () => {
    const raw = new LinePrefixReader('raw');
    const b = bytes('1660228023043260 {"b":2}');
    expect(raw.read(b, 3, b.length)).toBe(3);
    expect(raw.timeMs).toBeNaN();
  });

  it('round-trips any epoch time in all three shapes, to the ns', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 10n ** 18n, max: 10n ** 19n - 1n }), (ns) => {
        const reader = new LinePrefixReader('nanos');
        const line = bytes(`${ns} {}`);
        expect(reader.read(line, 0, line.length)).toBe(20);
        expect(reader.timeMs).toBe(Number(ns / 1_000_000n));
        expect(reader.subMsNanos).toBe(Number(ns % 1_000_000n));
        const us = ns / 1000n;
        const micros = new LinePrefixReader('micros');
        const usLine = bytes(`${us} {}`);
        expect(detectLineFormat(usLine, 0, usLine.length)).toBe('micros');
        expect(micros.read(usLine, 0, usLine.length)).toBe(17);
        expect(micros.timeMs).toBe(Number(us / 1000n));
        expect(micros.subMsNanos).toBe(Number(us % 1000n) * 1000);
        const seconds = new LinePrefixReader('seconds');
        const sLine = bytes(`${ns / 1_000_000_000n}.${String(ns % 1_000_000_000n).padStart(9, '0')}: {}`);
        expect(detectLineFormat(sLine, 0, sLine.length)).toBe('seconds');
        expect(seconds.read(sLine, 0, sLine.length)).toBe(sLine.length - 2);
        expect([seconds.timeMs, seconds.subMsNanos]).toEqual([reader.timeMs, reader.subMsNanos]);
      }),
    );
  });
});
