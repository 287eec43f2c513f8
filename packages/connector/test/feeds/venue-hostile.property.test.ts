import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MessageKind } from '../../src/feeds/message-kind.js';
import type { VenueName } from '../../src/feeds/venue-feed.js';
import { createParser, VENUE_NAMES } from '../../src/feeds/venues.js';
import { venueEmulation } from '../../src/simulator/emulations.js';
import { prng, tradesArb } from './message-gen.js';
import { BACKENDS, type Parsed, run } from './parse-helpers.js';
import { type ExpectedTrade, rfc, VENUE_SAMPLES } from './venue-samples.js';

const HOSTILE_VALUES = [
  '123456789012345678901234567890',
  '9007199254740993',
  '-1',
  '1e3',
  '1.5E+2',
  '1e400',
  '-0',
  '0.0',
  '"1e400"',
  '"-5"',
  '"0x10"',
  '""',
  '" 1"',
  '"\\u0031"',
  '"\\ud800"',
  '"\u0000"',
  'null',
  'true',
  '{}',
  '[]',
  '[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]',
  '"2021-04-17T16:43:37.089723+01:00"',
  '"1969-12-31T23:59:59.999999Z"',
  '"2021-02-29T00:00:00Z"',
  '"这是"',
  '"buy"',
  '"Sell"',
];

const INSERTS = [
  '"',
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  '\\',
  '\\u12',
  '0',
  '9',
  '-',
  'e',
  '.',
  ' ',
  '\u00e9',
  '\ud83d\ude80',
];

const encoder = new TextEncoder();

/** Applies one to three random mutations to a valid message. */
function mutate(message: string, seed: number): Uint8Array {
  const random = prng(seed);
  let text = message;
  const rounds = 1 + Math.floor(random() * 3);
  let raw: Uint8Array | null = null;
  for (let r = 0; r < rounds; r++) {
    const at = Math.floor(random() * (text.length + 1));
    const pick = Math.floor(random() * 6);
    if (pick === 0) text = text.slice(0, at);
    else if (pick === 1) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 4));
    else if (pick === 2)
      text = text.slice(0, at) + INSERTS[Math.floor(random() * INSERTS.length)]! + text.slice(at);
    else if (pick === 3) {
      // Replace the value after some colon with a hostile one.
      const colon = text.indexOf(':', at);
      if (colon >= 0) {
        let end = colon + 1;
        if (text[end] === '"') end = text.indexOf('"', end + 1) + 1;
        else while (end < text.length && !',}]'.includes(text[end]!)) end++;
        text =
          text.slice(0, colon + 1) +
          HOSTILE_VALUES[Math.floor(random() * HOSTILE_VALUES.length)]! +
          text.slice(end);
      }
    } else if (pick === 4) {
      // Duplicate a key/value pair.
      const comma = text.indexOf(',', at);
      const next = text.indexOf(',', comma + 1);
      if (comma >= 0 && next > comma) text = text.slice(0, next) + text.slice(comma, next) + text.slice(next);
    } else {
      raw = encoder.encode(text);
      const index = Math.floor(random() * raw.length);
      if (raw.length > 0) raw[index] = Math.floor(random() * 256);
      text = new TextDecoder().decode(raw);
    }
  }
  return raw !== null && rounds === 1 ? raw : encoder.encode(text);
}

const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

type Tree = Record<string, unknown>;

/**
 * An independent reference: the trades a plain `JSON.parse` of the message
 * shows, per venue (field by field, no shared code with the parsers).
 */
function referenceTrades(venue: VenueName, bytes: Uint8Array): Tree[] | null {
  let root: unknown;
  try {
    root = JSON.parse(fatal.decode(bytes));
  } catch {
    return null;
  }
  if (typeof root !== 'object' || root === null || Array.isArray(root)) return null;
  const r = root as Tree;
  switch (venue) {
    case 'binance': {
      const p = (
        typeof r.stream === 'string' &&
        typeof r.data === 'object' &&
        r.data !== null &&
        !Array.isArray(r.data)
          ? r.data
          : r
      ) as Tree;
      return p.e === 'trade' || p.e === 'aggTrade' ? [p] : null;
    }
    case 'coinbase':
      return r.type === 'match' ? [r] : null;
    case 'kraken':
      return r.channel === 'trade' && r.type === 'update' && Array.isArray(r.data)
        ? (r.data as Tree[])
        : null;
    case 'bybit':
      return typeof r.topic === 'string' && r.topic.startsWith('publicTrade.') && Array.isArray(r.data)
        ? (r.data as Tree[])
        : null;
    case 'okx': {
      const arg = r.arg as Tree | undefined;
      return r.event === undefined && arg?.channel === 'trades' && Array.isArray(r.data)
        ? (r.data as Tree[])
        : null;
    }
  }
}

function checkAgainstReference(venue: VenueName, trade: ExpectedTrade, ref: Tree): void {
  const fields = {
    binance: { symbol: 's', id: ref.e === 'aggTrade' ? 'a' : 't', price: 'p', size: 'q', time: 'T' },
    coinbase: { symbol: 'product_id', id: 'trade_id', price: 'price', size: 'size', time: 'time' },
    kraken: { symbol: 'symbol', id: 'trade_id', price: 'price', size: 'qty', time: 'timestamp' },
    bybit: { symbol: 's', id: 'i', price: 'p', size: 'v', time: 'T' },
    okx: { symbol: 'instId', id: 'tradeId', price: 'px', size: 'sz', time: 'ts' },
  }[venue];
  expect(trade.symbol).toBe(ref[fields.symbol]);
  const id = ref[fields.id];
  if (typeof id === 'string') expect(trade.tradeId).toBe(id);
  else {
    expect(trade.tradeId).toMatch(/^\d+$/);
    expect(Number(trade.tradeId)).toBe((id as number) + 0);
  }
  expect(trade.price).toBe(Number(ref[fields.price]) + 0);
  expect(trade.size).toBe(Number(ref[fields.size]) + 0);
  const time = ref[fields.time];
  if (venue === 'coinbase' || venue === 'kraken') {
    const expected = rfc(String(time));
    expect(trade.timestampMs).toBe(expected.timestampMs);
    expect(trade.timestampSubMsNanos).toBe(expected.timestampSubMsNanos);
  } else {
    const value = Number(time);
    expect(trade.timestampMs * 1000 + trade.timestampSubMsNanos / 1000).toBe(
      (value >= 1e15 ? value : value * 1000) + 0,
    );
  }
  const side = { binance: ref.m === true ? 'sell' : 'buy', coinbase: ref.side === 'buy' ? 'sell' : 'buy' }[
    venue as 'binance'
  ];
  const taker =
    venue === 'binance' || venue === 'coinbase'
      ? side
      : String(ref[venue === 'bybit' ? 'S' : 'side']).toLowerCase();
  expect(trade.side).toBe(taker);
}

function seedMessages(venue: VenueName): string[] {
  const samples = VENUE_SAMPLES.filter((s) => s.venue === venue).map((s) => s.message);
  const simulated = fc
    .sample(tradesArb(venue), { numRuns: 20, seed: 7 })
    .map((t) => venueEmulation(venue).formatTrades(t));
  return [...samples, ...simulated];
}

function same(a: Parsed, b: Parsed): void {
  expect(b.kind).toBe(a.kind);
  expect(b.trades).toEqual(a.trades);
  expect(b.nonTradeKind).toBe(a.nonTradeKind);
  expect(b.reason).toBe(a.reason);
}

describe('hostile input', () => {
  for (const venue of VENUE_NAMES) {
    it(`${venue}: mutated messages never throw, every backend agrees, trades match a JSON.parse reference`, () => {
      const messages = seedMessages(venue);
      const parsers = BACKENDS.map((backend) => createParser(venue, { backend }));
      let trades = 0;
      let malformed = 0;
      fc.assert(
        fc.property(fc.nat({ max: messages.length - 1 }), fc.integer(), (which, seed) => {
          const bytes = mutate(messages[which]!, seed);
          const results = parsers.map((parser) => run(parser, bytes));
          const [reference, ...others] = results as [Parsed, ...Parsed[]];
          for (const other of others) same(reference, other);
          if (reference.kind === MessageKind.trades) {
            trades++;
            const refs = referenceTrades(venue, bytes);
            expect(refs).not.toBeNull();
            expect(reference.trades).toHaveLength(refs!.length);
            for (const [i, trade] of reference.trades.entries())
              checkAgainstReference(venue, trade, refs![i]!);
          } else if (reference.kind === MessageKind.malformed) {
            malformed++;
          }
        }),
        { numRuns: 3000, seed: 0xbad + venue.length },
      );
      // The mutations must exercise both outcomes, or the property proves little.
      expect(trades).toBeGreaterThan(100);
      expect(malformed).toBeGreaterThan(100);
    });

    it(`${venue}: arbitrary JSON and arbitrary bytes never throw and every backend agrees`, () => {
      const parsers = BACKENDS.map((backend) => createParser(venue, { backend }));
      fc.assert(
        fc.property(
          fc.oneof(
            fc.json().map((text) => encoder.encode(text)),
            fc.uint8Array({ maxLength: 64 }),
            fc.string().map((text) => encoder.encode(text)),
          ),
          (bytes) => {
            const results = parsers.map((parser) => run(parser, bytes));
            for (const other of results.slice(1)) same(results[0]!, other);
            expect(results[0]!.trades).toEqual([]);
          },
        ),
        { numRuns: 1500, seed: 0xf00 + venue.length },
      );
    });
  }

  it('a trade id written as an integer beyond 2^53 keeps every digit; fraction or exponent is rejected', () => {
    for (const backend of BACKENDS) {
      const parser = createParser('kraken', { backend });
      const base = (id: string) =>
        `{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":1,"qty":1,"trade_id":${id},"timestamp":"2023-10-06T17:35:55.440295Z"}]}`;
      expect(run(parser, base('98765432109876543210987')).trades[0]?.tradeId).toBe('98765432109876543210987');
      expect(run(parser, base('1e20')).reason).toBe('invalid-trade-id');
      expect(run(parser, base('9007199254740993.5')).reason).toBe('invalid-trade-id');
      expect(run(parser, base('-3')).reason).toBe('invalid-trade-id');
    }
  });
});
