# Wire format of one normalized trade, the message every marketpipe connector
# publishes. Field ordinals are the wire contract: add new fields with the next
# ordinal, never renumber or reuse one, or existing readers will misread trades.
#
# The fixed-layout encoder (src/codec/trade-encoder.ts) hard-codes the layout
# this schema produces (5 data words, 2 pointers). Change both together, then
# run `node scripts/generate-capnp.mjs` to refresh the generated capnp-es code.
#
# Doc comments follow the declaration they describe, as Cap'n Proto expects.

@0xedd556bc0e49d5d9;

enum TradeSide {
  # Taker side of the trade, as the venue reports it.

  buy @0;
  sell @1;
  unknown @2;
  # The venue does not report the aggressor side.
}

struct TradeData {
  # One trade as normalized by a venue feed.

  timestampNanos @0 :UInt64;
  # Venue trade time, nanoseconds since the Unix epoch (UTC).

  receivedNanos @1 :UInt64;
  # Wall-clock time the connector received the venue message, nanoseconds
  # since the Unix epoch (UTC); with timestampNanos it gives the feed latency.

  ticker @2 :Text;
  # Venue ticker exactly as the venue sends it (BTCUSDT, BTC-USD, BTC/USD).

  price @3 :Float64;
  # Trade price as sent by the venue.

  size @4 :Float64;
  # Trade size as sent by the venue (fractional for crypto).

  side @5 :TradeSide;
  # Taker side.

  tradeId @6 :Text;
  # Venue trade id as text, so ids wider than 53 bits keep every digit.
}
