/**
 * zlib's CRC-32, from `node:zlib` loaded at the first call rather than at import. The main thread needs it only for
 * order-book checksums (Kraken, OKX, `OrderBook.checksum`) and for reading record files; importing `node:zlib` cost
 * every run, trades-only included, ~5 ms of its start on Node 20 (docs/design/startup.md). The flusher's writer,
 * which checksums every block from its first, imports it directly.
 *
 * @internal
 */
type Crc32 = (data: Uint8Array | string, value?: number) => number;

let loaded: Crc32 | undefined;

/** `crc32(data, value)` of `node:zlib`: the CRC-32 of `data`, continuing from `value` (default 0). */
export function crc32(data: Uint8Array | string, value?: number): number {
  loaded ??= process.getBuiltinModule('node:zlib').crc32;
  return loaded(data, value);
}
