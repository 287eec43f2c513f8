/**
 * Hostile Binance frames for whole-pipeline fuzzing, and the independent
 * reference every published trade is checked against: a plain `JSON.parse`
 * of the raw message, field by field, sharing no code with the parsers.
 */
import { TradeSide, type TradeView } from '@marketpipe/connector';
import { tickerToSubjectToken } from '@marketpipe/connector/pipeline';
import fc from 'fast-check';

/** One generated frame; `valid` frames are plain, well-formed trades that must be published. */
export interface HostileFrame {
  bytes: Uint8Array;
  valid: boolean;
}

const encoder = new TextEncoder();
const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

const HOSTILE_VALUES = [
  '123456789012345678901234567890',
  '9007199254740993',
  '18446744073709551616',
  '-1',
  '1e3',
  '1.5E+2',
  '1e400',
  '-0',
  '5e-324',
  '"1e400"',
  '"-5"',
  '"0x10"',
  '""',
  '" 1"',
  '"\\u0031"',
  '"\\ud800"',
  '"\\u0000"',
  '"NaN"',
  '"Infinity"',
  'null',
  'true',
  'false',
  '{}',
  '[]',
  `${'['.repeat(2000)}${']'.repeat(2000)}`,
  '{"a":{"b":{"c":[1,2,{"d":null}]}}}',
  '"这是"',
  '"trade"',
];

const HOSTILE_SYMBOLS = [
  'BTC.USDT',
  'BTC*',
  '>',
  'BTC USDT',
  '../../../etc/passwd',
  'BTC\u0000USDT',
  'BTC\u0007\u001b[31m',
  '币安',
  '\u{1F680}MOON',
  '\u202eDSU',
  '\ud800',
  'é',
  'e\u0301',
  '',
  'X'.repeat(300),
];

const PLAIN_SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'];

interface TradeFields {
  s: string;
  t: string;
  p: string;
  q: string;
  T: string;
  m: string;
}

function tradeText(fields: TradeFields, combined: boolean, pad: string): string {
  const data =
    `{"e":"trade","E":1736000000001,"s":${fields.s},"t":${fields.t},"p":${fields.p},"q":${fields.q},` +
    `"T":${fields.T},"m":${fields.m}${pad},"M":true}`;
  return combined ? `{"stream":"btcusdt@trade","data":${data}}` : data;
}

const decimal = fc
  .tuple(fc.integer({ min: 0, max: 99_999 }), fc.integer({ min: 0, max: 99_999_999 }))
  .map(([whole, fraction]) => `"${whole}.${String(fraction).padStart(8, '0')}"`);

const plainFields: fc.Arbitrary<TradeFields> = fc.record({
  s: fc.constantFrom(...PLAIN_SYMBOLS).map((s) => JSON.stringify(s)),
  t: fc.integer({ min: 1, max: 2 ** 40 }).map(String),
  p: decimal,
  q: decimal,
  T: fc.integer({ min: 1_500_000_000_000, max: 1_900_000_000_000 }).map(String),
  m: fc.boolean().map(String),
});

function noLineBreaks(bytes: Uint8Array): Uint8Array {
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === NEWLINE || bytes[i] === CARRIAGE_RETURN) bytes[i] = 0x20;
  }
  return bytes;
}

const text = (value: string, valid = false): HostileFrame => ({ bytes: encoder.encode(value), valid });

/**
 * One frame: a plain trade, or one of the hostile kinds (hostile symbol, a
 * field replaced by a hostile value, truncation, corrupted bytes, deep
 * nesting, integers beyond 2^53, exponents, arbitrary JSON, random bytes, a
 * 1 MB frame). Never contains `\n` or `\r`, so it is one line of a replay file.
 */
export const hostileFrame: fc.Arbitrary<HostileFrame> = fc
  .oneof(
    {
      weight: 6,
      arbitrary: fc.tuple(plainFields, fc.boolean()).map(([f, c]) => text(tradeText(f, c, ''), true)),
    },
    {
      weight: 3,
      arbitrary: fc
        .tuple(
          plainFields,
          fc.oneof(fc.constantFrom(...HOSTILE_SYMBOLS), fc.string({ unit: 'binary', maxLength: 12 })),
        )
        .map(([f, symbol]) => text(tradeText({ ...f, s: JSON.stringify(symbol) }, true, ''))),
    },
    {
      weight: 4,
      arbitrary: fc
        .tuple(
          plainFields,
          fc.constantFrom<keyof TradeFields>('s', 't', 'p', 'q', 'T', 'm'),
          fc.constantFrom(...HOSTILE_VALUES),
        )
        .map(([f, key, value]) => text(tradeText({ ...f, [key]: value }, true, ''))),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(plainFields, fc.double({ min: 0, max: 1, noNaN: true })).map(([f, at]) => {
        const whole = tradeText(f, true, '');
        return text(whole.slice(0, Math.max(1, Math.floor(whole.length * at))));
      }),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(plainFields, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([f, at, byte]) => {
        const bytes = encoder.encode(tradeText(f, true, ''));
        bytes[at % bytes.length] = byte;
        return { bytes: noLineBreaks(bytes), valid: false };
      }),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(10, 1_000, 100_000)
        .map((depth) => text(`{"stream":"x@trade","data":${'['.repeat(depth)}${']'.repeat(depth)}}`)),
    },
    { weight: 1, arbitrary: fc.json().map((json) => text(json)) },
    {
      weight: 1,
      arbitrary: fc
        .uint8Array({ minLength: 1, maxLength: 64 })
        .map((bytes) => ({ bytes: noLineBreaks(bytes), valid: false })),
    },
    {
      weight: 1,
      arbitrary: plainFields.map((f) => text(tradeText(f, false, `,"X":"${'x'.repeat(1024 * 1024)}"`), true)),
    },
  )
  .map(withShortPrint);

/**
 * Prints a frame in a counterexample as its size, validity and first bytes: a run holds several 1 MB frames,
 * and fast-check printed them in full (tens of MB of CI log per failure).
 */
function withShortPrint(frame: HostileFrame): HostileFrame {
  return Object.defineProperty(frame, fc.toStringMethod, {
    value: () =>
      `frame(${frame.bytes.length} B, ${frame.valid ? 'valid' : 'hostile'}: ${JSON.stringify(
        Buffer.from(frame.bytes.subarray(0, 80)).toString('latin1'),
      )}${frame.bytes.length > 80 ? '...' : ''})`,
    enumerable: false,
  });
}

type Tree = Record<string, unknown>;

function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The trade object a plain `JSON.parse` finds in a Binance frame, or null when it holds none. */
export function referenceTrade(bytes: Uint8Array): { trade: Tree; text: string } | null {
  let root: unknown;
  let source: string;
  try {
    source = fatal.decode(bytes);
    root = JSON.parse(source);
  } catch {
    return null;
  }
  if (!isTree(root)) return null;
  const trade = typeof root.stream === 'string' && isTree(root.data) ? root.data : root;
  return trade.e === 'trade' || trade.e === 'aggTrade' ? { trade, text: source } : null;
}

/** A published trade: the subject and the decoded Cap'n Proto fields. */
export interface PublishedTrade {
  subject: string;
  ticker: string;
  tradeId: string;
  price: number;
  size: number;
  side: TradeSide;
  timestampNanos: bigint;
}

/** Copies what a {@link TradeView} shows. */
export function publishedTrade(subject: string, view: TradeView): PublishedTrade {
  return {
    subject,
    ticker: view.ticker,
    tradeId: view.tradeId,
    price: view.price,
    size: view.size,
    side: view.side,
    timestampNanos: view.timestampNanos,
  };
}

/**
 * Why `published` is not what the reference reads in `frame`, or null when
 * every field agrees: subject, ticker, trade id (every digit), price, size,
 * taker side and time.
 */
export function mismatch(published: PublishedTrade, frame: Uint8Array, env: string): string | null {
  const ref = referenceTrade(frame);
  if (ref === null) return 'the reference finds no trade in this frame';
  const { trade, text: source } = ref;
  const idKey = trade.e === 'aggTrade' ? 'a' : 't';
  const id = trade[idKey];
  if (published.subject !== `${env}.binance.trade.${tickerToSubjectToken(String(trade.s))}`)
    return `subject ${published.subject}`;
  if (published.subject.split('.').length !== 4 || /[*>\s]/.test(published.subject))
    return `unsafe subject ${published.subject}`;
  if (published.ticker !== trade.s) return `ticker ${JSON.stringify(published.ticker)}`;
  if (typeof id === 'string') {
    if (published.tradeId !== id) return `trade id ${published.tradeId}`;
  } else {
    if (!/^\d+$/.test(published.tradeId) || Number(published.tradeId) !== id)
      return `trade id ${published.tradeId}`;
    // Beyond 2^53 JSON.parse rounds: the raw digits are the reference then.
    const raw = [...source.matchAll(new RegExp(`"${idKey}":(\\d+)[,}]`, 'g'))];
    if (raw.length === 1 && raw[0]?.[1] !== published.tradeId) return `trade id digits ${published.tradeId}`;
  }
  if (!Object.is(published.price, Number(trade.p) + 0)) return `price ${published.price}`;
  if (!Object.is(published.size, Number(trade.q) + 0)) return `size ${published.size}`;
  if (published.side !== (trade.m === true ? TradeSide.sell : TradeSide.buy)) return `side ${published.side}`;
  const time = Number(trade.T);
  const micros = Number(published.timestampNanos / 1000n) + Number(published.timestampNanos % 1000n) / 1000;
  if (micros !== (time >= 1e15 ? time : time * 1000)) return `time ${published.timestampNanos}`;
  return null;
}

/**
 * Pairs each published trade, in order, with the next frame whose reference
 * agrees with it, and fails (returns a reason) when a trade matches no later
 * frame or a valid frame was passed over. Binance frames carry one trade each.
 */
export function checkPublished(
  published: readonly PublishedTrade[],
  frames: readonly HostileFrame[],
  env: string,
): string | null {
  let next = 0;
  for (const [index, trade] of published.entries()) {
    let paired = false;
    while (next < frames.length && !paired) {
      const frame = frames[next] as HostileFrame;
      const why = mismatch(trade, frame.bytes, env);
      if (why === null) paired = true;
      else if (frame.valid)
        return `valid frame ${next} was not published as is (${why}): ${Buffer.from(frame.bytes).toString().slice(0, 300)}`;
      next++;
    }
    if (!paired)
      return `published trade ${index} matches no frame: ${JSON.stringify(trade, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`;
  }
  const missing = frames.slice(next).findIndex((frame) => frame.valid);
  return missing < 0 ? null : `valid frame ${next + missing} was never published`;
}
