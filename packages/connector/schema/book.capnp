# Wire format of one normalized order-book update (level 2), published beside
# trades. Field ordinals are the wire contract: add new fields with the next
# ordinal, never renumber or reuse one, or existing readers will misread books.
#
# The fixed-layout encoder (src/books/book-encoder.ts) hard-codes the layout
# this schema produces (BookUpdate: 4 data words, 3 pointers; BookLevel: 2 data
# words). Change both together, then run `node scripts/generate-capnp.mjs`.
#
# Doc comments follow the declaration they describe, as Cap'n Proto expects.

@0xd76fc049eb268615;

struct BookLevel {
  # One price level: the whole size resting at that price.

  price @0 :Float64;
  # Level price as sent by the venue.

  size @1 :Float64;
  # Total size at the price, absolute (not a change). 0 removes the level.
}

struct BookUpdate {
  # One venue book message, in sync: a snapshot or the levels one delta changes.

  timestampNanos @0 :UInt64;
  # Venue event time, nanoseconds since the Unix epoch (UTC); 0 where the venue sends none.

  receivedNanos @1 :UInt64;
  # Wall-clock time the connector received the venue message, nanoseconds since the Unix epoch (UTC).

  ticker @2 :Text;
  # Venue ticker exactly as the venue sends it (BTCUSDT, BTC-USD, BTC/USD).

  sequence @3 :UInt64;
  # The venue's update id (Binance u, Bybit u, OKX seqId); 0 where the venue has none.

  isSnapshot @4 :Bool;
  # True: the levels replace the whole book. False: each level replaces one price (size 0 removes it).

  bids @5 :List(BookLevel);
  # Bid levels, best (highest) first in a snapshot; in venue order in a delta.

  asks @6 :List(BookLevel);
  # Ask levels, best (lowest) first in a snapshot; in venue order in a delta.

  isRefresh @7 :Bool;
  # True on a snapshot the connector republished from the book it holds, for subscribers that started late (the
  # venue sent no new snapshot): its sequence is that of the last update applied. A subscriber whose book is at
  # that sequence already holds it and may skip it.
}
