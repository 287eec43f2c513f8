/**
 * Peer (a): the pipeline a typical TypeScript developer would write for Binance trades. Each step is the
 * idiomatic one: decode to a string, `JSON.parse`, a trade object, the capnp-es builder, a subject string per
 * message, and `fs.appendFileSync` of the raw message.
 */
import { appendFileSync } from 'node:fs';
import type { Transport } from '@marketpipe/middleware';
import { encodeTradeWithCapnpEs } from './capnp-es-trade.js';

/** The Binance combined-stream trade message, as far as the naive pipeline reads it. */
export interface BinanceTradeMessage {
  data: { s: string; t: number; p: string; q: string; T: number; m: boolean };
}

/** The trade object the naive pipeline builds from a message's `data`, received at `receivedMs`. */
export interface NaiveTrade {
  timestampNanos: bigint;
  receivedNanos: bigint;
  ticker: string;
  price: number;
  size: number;
  side: number;
  tradeId: string;
}

/** Builds the naive trade object the idiomatic way: BigInt nanoseconds, numbers from the decimal strings. */
export function naiveTrade(data: BinanceTradeMessage['data'], receivedMs: number): NaiveTrade {
  return {
    timestampNanos: BigInt(data.T) * 1_000_000n,
    receivedNanos: BigInt(receivedMs) * 1_000_000n,
    ticker: data.s,
    price: Number(data.p),
    size: Number(data.q),
    side: data.m ? 1 : 0,
    tradeId: String(data.t),
  };
}

/** A parsed JSON tree, from whichever parser produced it. */
export type JsonParse = (text: string) => unknown;

/**
 * Handles one raw Binance message the straightforward way: parse with `parse`, build a trade object, encode it
 * with capnp-es, publish it on a subject built for this message, then record the raw bytes with `record`.
 */
export class StraightforwardBinancePipeline {
  readonly #decoder = new TextDecoder();
  readonly #parse: JsonParse;
  readonly #transport: Transport;
  readonly #record: (bytes: Uint8Array) => void;

  /**
   * @param parse `JSON.parse` for the naive peer, `simdjson.parse` for the design's libraries as-is.
   * @param record Where the raw message goes: `appendFileSync` for the naive peer, the ring for the other.
   */
  constructor(parse: JsonParse, transport: Transport, record: (bytes: Uint8Array) => void) {
    this.#parse = parse;
    this.#transport = transport;
    this.#record = record;
  }

  /** Processes one message; returns the encoded trade's size. */
  handle(bytes: Uint8Array): number {
    const message = this.#parse(this.#decoder.decode(bytes)) as BinanceTradeMessage;
    const trade = naiveTrade(message.data, Date.now());
    const encoded = new Uint8Array(
      encodeTradeWithCapnpEs(
        trade.timestampNanos,
        trade.receivedNanos,
        trade.ticker,
        trade.price,
        trade.size,
        trade.side,
        trade.tradeId,
      ),
    );
    this.#transport.publish(`bench.binance.trade.${trade.ticker}`, encoded);
    this.#record(bytes);
    return encoded.length;
  }
}

/** The naive peer's recorder: one `fs.appendFileSync` per raw message. */
export function appendFileRecorder(path: string): (bytes: Uint8Array) => void {
  return (bytes) => appendFileSync(path, bytes);
}
