/**
 * Cross-checks the fixed-layout encoder against the reference C++
 * implementation: a stream of encoded trades is piped through
 * `capnp decode schema/trade.capnp TradeData` and every printed field is
 * compared with the input. Needs the `capnp` tool (Debian: capnproto).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { type TradeData, TradeSide, tradeSideName } from './trade-data.js';
import { TradeEncoder } from './trade-encoder.js';

const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
const U64_MAX = 0xffff_ffff_ffff_ffffn;
const FIELDS = ['timestampNanos', 'receivedNanos', 'ticker', 'price', 'size', 'side', 'tradeId'];

const tricky: TradeData[] = [
  {
    timestampNanos: U64_MAX,
    receivedNanos: 0n,
    ticker: 'BTC"\\/USD\n\t\r\u0001\u007f',
    price: Number.NaN,
    size: -0,
    side: TradeSide.unknown,
    tradeId: '',
  },
  {
    timestampNanos: 1_700_000_000_123_456_789n,
    receivedNanos: 2n ** 63n,
    ticker: 'ÉTH-€ 😀 𝄞',
    price: Number.POSITIVE_INFINITY,
    size: Number.NEGATIVE_INFINITY,
    side: TradeSide.sell,
    tradeId: "98765432109876543210'",
  },
  {
    timestampNanos: 1n,
    receivedNanos: U64_MAX - 1n,
    ticker: 'nul\u0000inside',
    price: Number.MIN_VALUE,
    size: Number.MAX_VALUE,
    side: TradeSide.buy,
    tradeId: '\u0080\u07ff\u0800\uffff\u{10ffff}',
  },
  {
    timestampNanos: 2n ** 32n,
    receivedNanos: 2n ** 32n - 1n,
    ticker: 'x'.repeat(200),
    price: 2.225073858507201e-308,
    size: 0.1 + 0.2,
    side: TradeSide.sell,
    tradeId: '\\\\""\\',
  },
];

const random = fc.sample(
  fc.record({
    timestampNanos: fc.bigInt({ min: 0n, max: U64_MAX }),
    receivedNanos: fc.bigInt({ min: 0n, max: U64_MAX }),
    ticker: fc.string({ unit: 'binary', maxLength: 24 }),
    price: fc.double(),
    size: fc.double(),
    side: fc.constantFrom(TradeSide.buy, TradeSide.sell, TradeSide.unknown),
    tradeId: fc.string({ unit: 'binary-ascii', maxLength: 40 }),
  }),
  { numRuns: 300, seed: 20_240_601 },
);

const C_ESCAPES: Record<string, number> = {
  n: 10,
  t: 9,
  r: 13,
  a: 7,
  b: 8,
  f: 12,
  v: 11,
  "'": 39,
  '"': 34,
  '\\': 92,
  '?': 63,
};

/** Parses one `capnp decode --short` line, `(name = value, ...)`, into raw field texts (strings as bytes). */
function parseShortLine(line: Buffer): Array<[string, string | Buffer]> {
  const fields: Array<[string, string | Buffer]> = [];
  let i = 1;
  expect(String.fromCharCode(line[0]!), line.toString()).toBe('(');
  for (;;) {
    const eq = line.indexOf(' = ', i);
    expect(eq, line.toString()).toBeGreaterThan(i);
    const name = line.subarray(i, eq).toString();
    i = eq + 3;
    if (line[i] === 0x22) {
      const bytes: number[] = [];
      i++;
      while (line[i] !== 0x22) {
        if (i >= line.length) throw new Error(`unterminated string in ${line.toString()}`);
        const byte = line[i++]!;
        if (byte !== 0x5c) {
          bytes.push(byte);
          continue;
        }
        const escaped = String.fromCharCode(line[i]!);
        if (escaped === 'x') {
          let end = i + 1;
          while (end < line.length && /[0-9a-fA-F]/.test(String.fromCharCode(line[end]!))) end++;
          bytes.push(Number.parseInt(line.subarray(i + 1, end).toString(), 16));
          i = end;
        } else if (/[0-7]/.test(escaped)) {
          let end = i;
          while (end < i + 3 && /[0-7]/.test(String.fromCharCode(line[end]!))) end++;
          bytes.push(Number.parseInt(line.subarray(i, end).toString(), 8));
          i = end;
        } else {
          const code = C_ESCAPES[escaped];
          if (code === undefined) throw new Error(`unknown escape \\${escaped} in ${line.toString()}`);
          bytes.push(code);
          i++;
        }
      }
      i++;
      fields.push([name, Buffer.from(bytes)]);
    } else {
      let end = i;
      while (line[end] !== 0x2c && line[end] !== 0x29) end++;
      fields.push([name, line.subarray(i, end).toString()]);
      i = end;
    }
    if (line[i] === 0x29) return fields;
    expect(line.subarray(i, i + 2).toString(), line.toString()).toBe(', ');
    i += 2;
  }
}

function parseFloat64(text: string): number {
  if (/^-?nan$/.test(text)) return Number.NaN;
  if (text === 'inf') return Number.POSITIVE_INFINITY;
  if (text === '-inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

function capnpDecode(stream: Uint8Array): Buffer {
  return execFileSync('capnp', ['decode', '--short', 'schema/trade.capnp', 'TradeData'], {
    cwd: packageRoot,
    env: { ...process.env, PWD: packageRoot },
    input: stream,
    maxBuffer: 64 * 1024 * 1024,
  });
}

describe('capnp decode (reference C++ implementation)', () => {
  beforeAll(() => {
    try {
      execFileSync('capnp', ['--version'], { stdio: 'pipe' });
    } catch (err) {
      throw new Error(
        "This test needs the Cap'n Proto tool `capnp` on PATH (Debian/Ubuntu: apt-get install capnproto).",
        { cause: err },
      );
    }
  });

  it('decodes a stream of fast-encoded trades to the same field values', () => {
    const trades = [...tricky, ...random];
    const encoder = new TradeEncoder();
    const stream = Buffer.concat(
      trades.map((trade) => {
        encoder.encode(trade);
        return encoder.bytes.slice();
      }),
    );
    const lines = capnpDecode(stream)
      .toString('latin1')
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => Buffer.from(line, 'latin1'));
    expect(lines.length).toBe(trades.length);
    const utf8 = new TextEncoder();
    trades.forEach((trade, n) => {
      const fields = parseShortLine(lines[n]!);
      const label = `trade #${n}: ${lines[n]!.toString()}`;
      expect(
        fields.map(([name]) => name),
        label,
      ).toEqual(FIELDS);
      const value = new Map(fields);
      expect(BigInt(value.get('timestampNanos') as string), label).toBe(trade.timestampNanos);
      expect(BigInt(value.get('receivedNanos') as string), label).toBe(trade.receivedNanos);
      expect(Object.is(parseFloat64(value.get('price') as string), trade.price), label).toBe(true);
      expect(Object.is(parseFloat64(value.get('size') as string), trade.size), label).toBe(true);
      expect(value.get('side'), label).toBe(tradeSideName(trade.side));
      expect(value.get('ticker'), label).toEqual(Buffer.from(utf8.encode(trade.ticker)));
      expect(value.get('tradeId'), label).toEqual(Buffer.from(utf8.encode(trade.tradeId)));
    });
  });
});
