import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  InternerFullError,
  InvalidArgumentError,
  InvalidUnicodeError,
  UnknownInternIdError,
} from '../errors.js';
import { hashBytes } from './byte-hash.js';
import { Interner } from './interner.js';

const encoder = new TextEncoder();
const utf8 = (str: string): Uint8Array => encoder.encode(str);

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('Interner basics', () => {
  it('hands out dense ids from 0 in first-seen order and resolves them', () => {
    const interner = new Interner();
    expect(interner.size).toBe(0);
    expect(interner.intern('BTC-USD')).toBe(0);
    expect(interner.intern('ETH-USD')).toBe(1);
    expect(interner.intern('BTC-USD')).toBe(0);
    expect(interner.size).toBe(2);
    expect(interner.resolve(0)).toBe('BTC-USD');
    expect(interner.resolve(1)).toBe('ETH-USD');
    expect(interner.byteSize).toBe(14);
  });

  it('gives a string and its UTF-8 bytes the same id, wherever the bytes sit in a buffer', () => {
    const interner = new Interner();
    const frame = utf8('{"s":"BTC","p":"ÉTH€😀"}');
    const btc = interner.intern('BTC');
    expect(interner.internBytes(utf8('BTC'), 0, 3)).toBe(btc);
    expect(interner.internBytes(frame, 6, 9)).toBe(btc);
    expect(interner.lookupBytes(frame, 6, 9)).toBe(btc);

    const start = 16;
    const end = frame.length - 2;
    const fromBytes = interner.internBytes(frame, start, end);
    expect(interner.resolve(fromBytes)).toBe('ÉTH€😀');
    expect(interner.intern('ÉTH€😀')).toBe(fromBytes);
    expect(interner.lookup('ÉTH€😀')).toBe(fromBytes);
  });

  it('lookups return -1 for unknown symbols and add nothing', () => {
    const interner = new Interner();
    interner.intern('BTC');
    expect(interner.lookup('ETH')).toBe(-1);
    expect(interner.lookupBytes(utf8('ETH'), 0, 3)).toBe(-1);
    expect(interner.lookupBytes(utf8('BTC'), 0, 2)).toBe(-1);
    expect(interner.size).toBe(1);
  });

  it('interns the empty symbol like any other', () => {
    const interner = new Interner();
    interner.intern('A');
    const empty = interner.internBytes(utf8('abc'), 2, 2);
    expect(interner.intern('')).toBe(empty);
    expect(interner.resolve(empty)).toBe('');
  });

  it('resolve throws a typed error for ids it never handed out', () => {
    const interner = new Interner();
    interner.intern('BTC');
    for (const id of [-1, 1, 0.5, Number.NaN, 2 ** 40]) {
      const err = caught(() => interner.resolve(id));
      expect(err instanceof UnknownInternIdError).toBe(true);
      expect(err).toMatchObject({ name: 'UnknownInternIdError', code: 'MP_ERR_UNKNOWN_INTERN_ID', id });
    }
  });

  it('rejects byte ranges that do not fit the buffer', () => {
    const interner = new Interner();
    const bytes = utf8('BTC');
    for (const [start, end] of [
      [-1, 2],
      [2, 1],
      [0, 4],
      [0.5, 2],
      [0, Number.NaN],
    ] as const) {
      expect(caught(() => interner.internBytes(bytes, start, end)) instanceof InvalidArgumentError).toBe(
        true,
      );
      expect(caught(() => interner.lookupBytes(bytes, start, end)) instanceof InvalidArgumentError).toBe(
        true,
      );
    }
    expect(interner.size).toBe(0);
  });

  it('rejects invalid options', () => {
    for (const options of [
      { maxEntries: 0 },
      { maxEntries: 1.5 },
      { maxBytes: -1 },
      { initialCapacity: 0 },
    ]) {
      expect(caught(() => new Interner(options)) instanceof InvalidArgumentError).toBe(true);
    }
  });
});

describe('Interner and invalid Unicode', () => {
  it('refuses invalid UTF-8 and lone surrogates without changing state', () => {
    const interner = new Interner();
    interner.intern('BTC');
    for (const bytes of [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0x41, 0x80]]) {
      const raw = Uint8Array.from(bytes);
      const err = caught(() => interner.internBytes(raw, 0, raw.length));
      expect(err instanceof InvalidUnicodeError).toBe(true);
      expect((err as Error).cause).toBeDefined();
      expect(interner.lookupBytes(raw, 0, raw.length)).toBe(-1);
    }
    expect(caught(() => interner.intern('BT\ud800C')) instanceof InvalidUnicodeError).toBe(true);
    expect(interner.lookup('\udc00')).toBe(-1);
    expect(interner.size).toBe(1);
    expect(interner.intern('ETH')).toBe(1);
  });

  it('keeps a leading byte-order mark as part of the symbol', () => {
    const interner = new Interner();
    const withBom = interner.intern('\ufeffBTC');
    const plain = interner.intern('BTC');
    expect(withBom).not.toBe(plain);
    const bytes = utf8('\ufeffBTC');
    expect(interner.internBytes(bytes, 0, bytes.length)).toBe(withBom);
  });
});

describe('Interner properties', () => {
  it('bytes and string forms agree, ids are dense, stable and resolve back, for any Unicode', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ unit: 'binary', maxLength: 12 }), fc.boolean(), fc.nat(4)), {
          maxLength: 200,
        }),
        fc.integer({ min: 1, max: 64 }),
        (ops, initialCapacity) => {
          const interner = new Interner({ initialCapacity });
          const expected = new Map<string, number>();
          for (const [str, viaBytes, padding] of ops) {
            const encoded = utf8(str);
            // Embed the symbol inside other bytes to check that ranges are honoured.
            const frame = new Uint8Array(padding + encoded.length + padding).fill(0x22);
            frame.set(encoded, padding);
            const id = viaBytes
              ? interner.internBytes(frame, padding, padding + encoded.length)
              : interner.intern(str);
            const known = expected.get(str);
            if (known === undefined) {
              expect(id).toBe(expected.size);
              expected.set(str, id);
            } else {
              expect(id).toBe(known);
            }
          }
          expect(interner.size).toBe(expected.size);
          for (const [str, id] of expected) {
            const encoded = utf8(str);
            expect(interner.resolve(id)).toBe(str);
            expect(interner.lookup(str)).toBe(id);
            expect(interner.lookupBytes(encoded, 0, encoded.length)).toBe(id);
            expect(interner.internBytes(encoded, 0, encoded.length)).toBe(id);
          }
          expect(interner.size).toBe(expected.size);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('Interner bounds', () => {
  it('throws InternerFullError past maxEntries and stays usable', () => {
    const interner = new Interner({ maxEntries: 3 });
    const ids = ['A', 'B', 'C'].map((s) => interner.intern(s));
    const err = caught(() => interner.intern('D'));
    expect(err instanceof InternerFullError).toBe(true);
    expect(err).toMatchObject({
      name: 'InternerFullError',
      code: 'MP_ERR_INTERNER_FULL',
      limit: 'entries',
      max: 3,
    });
    expect(caught(() => interner.internBytes(utf8('D'), 0, 1)) instanceof InternerFullError).toBe(true);
    expect(interner.size).toBe(3);
    expect(interner.lookup('D')).toBe(-1);
    expect(['A', 'B', 'C'].map((s) => interner.intern(s))).toEqual(ids);
    expect(interner.internBytes(utf8('B'), 0, 1)).toBe(ids[1]);
    expect(interner.resolve(2)).toBe('C');
  });

  it('throws InternerFullError past maxBytes and stays usable', () => {
    const interner = new Interner({ maxBytes: 10 });
    interner.intern('BTC-USD');
    interner.intern('€');
    expect(interner.byteSize).toBe(10);
    const err = caught(() => interner.intern('X'));
    expect(err).toMatchObject({ code: 'MP_ERR_INTERNER_FULL', limit: 'bytes', max: 10 });
    expect(interner.intern('')).toBe(2);
    expect(caught(() => interner.intern('x'.repeat(1000)))).toMatchObject({
      code: 'MP_ERR_INTERNER_FULL',
      limit: 'bytes',
    });
    expect(interner.lookup('x'.repeat(1000))).toBe(-1);
    expect(interner.intern('BTC-USD')).toBe(0);
    expect(interner.resolve(1)).toBe('€');
  });

  it('accepts exactly maxEntries symbols at the default bound', () => {
    const interner = new Interner();
    for (let i = 0; i < 65536; i++) interner.intern(`S${i}`);
    expect(interner.size).toBe(65536);
    expect(caught(() => interner.intern('one more')) instanceof InternerFullError).toBe(true);
    expect(interner.lookup('S65535')).toBe(65535);
  });
});

describe('Interner hash collisions and growth', () => {
  it('keeps symbols with identical 32-bit hashes apart', () => {
    // Birthday search: among 300k random 8-letter tickers (fixed xorshift seed) some pairs share the full
    // 32-bit hash.
    let state = 0x12345678;
    const seen = new Map<number, string>();
    const pairs: [string, string][] = [];
    for (let i = 0; i < 300_000 && pairs.length < 8; i++) {
      let str = '';
      for (let k = 0; k < 8; k++) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        str += String.fromCharCode(65 + ((state >>> 0) % 26));
      }
      const bytes = utf8(str);
      const hash = hashBytes(bytes, 0, bytes.length);
      const other = seen.get(hash);
      if (other === undefined) seen.set(hash, str);
      else if (other !== str) pairs.push([other, str]);
    }
    expect(pairs.length).toBeGreaterThan(0);

    const interner = new Interner({ initialCapacity: 1 });
    for (const [a, b] of pairs) {
      const idA = interner.intern(a);
      const idB = interner.internBytes(utf8(b), 0, utf8(b).length);
      expect(idA).not.toBe(idB);
      expect(interner.resolve(idA)).toBe(a);
      expect(interner.resolve(idB)).toBe(b);
    }
    for (const [a, b] of pairs) {
      expect(interner.resolve(interner.lookup(a))).toBe(a);
      expect(interner.resolve(interner.lookupBytes(utf8(b), 0, utf8(b).length))).toBe(b);
    }
  });

  it('never confuses symbols that share a length and first four bytes (the byte lookup memo)', () => {
    // Such symbols land in the same memo slot; every answer must still come from a full comparison.
    const enc = new TextEncoder();
    const interner = new Interner();
    const model = new Map<string, number>();
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.constantFrom('BTCU', 'ETHU', 'SOL-', 'ab'),
            fc.string({ unit: 'grapheme', maxLength: 4 }),
          ),
          { minLength: 1, maxLength: 40 },
        ),
        fc.nat({ max: 7 }),
        (parts, pad) => {
          for (const [head, tail] of parts) {
            const symbol = head + tail;
            const bytes = enc.encode(`${'x'.repeat(pad)}${symbol}"`);
            const id = interner.internBytes(bytes, pad, bytes.length - 1);
            if (!model.has(symbol)) model.set(symbol, model.size);
            expect(id).toBe(model.get(symbol));
            expect(interner.resolve(id)).toBe(symbol);
          }
        },
      ),
      { numRuns: 300 },
    );
    // Alternating twins of one memo slot.
    const a = enc.encode('BTCUSDT');
    const b = enc.encode('BTCUSDC');
    const ids = [a, b, a, b, a].map((bytes) => interner.internBytes(bytes, 0, bytes.length));
    expect(ids[0]).not.toBe(ids[1]);
    expect(ids).toEqual([ids[0], ids[1], ids[0], ids[1], ids[0]]);
  });

  it('keeps every id through repeated growth of a tiny table', () => {
    const interner = new Interner({ initialCapacity: 1, maxEntries: 5000 });
    const symbols: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const str = `${String.fromCodePoint(0x41 + (i % 26), 0x1f600 + (i % 80))}${i}`;
      symbols.push(str);
      expect(interner.intern(str)).toBe(i);
      // Check everything after each doubling, when the table has just been rebuilt.
      if ((i & (i + 1)) === 0) {
        for (let j = 0; j <= i; j++) expect(interner.lookup(symbols[j]!)).toBe(j);
      }
    }
    for (let j = 0; j < symbols.length; j++) {
      const bytes = utf8(symbols[j]!);
      expect(interner.lookupBytes(bytes, 0, bytes.length)).toBe(j);
      expect(interner.resolve(j)).toBe(symbols[j]);
    }
    expect(interner.byteSize).toBe(symbols.reduce((n, s) => n + utf8(s).length, 0));
  });
});
