/**
 * Layout of one record (frame) in the ring's data area: a 24-byte header whose commit word is written last, then the
 * payload, over whole slots. Field table: docs/design/ring-buffer.md#record-frame.
 */

/**
 * Bytes of header in front of every payload (commit word, receive time, sequence number): a payload of `n` bytes takes
 * `ceil((n + 24) / slotSize)` slots, so a 256-byte slot holds a message of up to 232 bytes.
 */
export const RECORD_HEADER_BYTES = 24;
/** Bytes of header in front of every payload in a ring of format version 1 (no receive time); read only. */
export const RECORD_HEADER_BYTES_V1 = 16;
/** Int32 offset of the commit word from the record start. */
export const COMMIT_WORD = 0;
/** Int32 offset of the receive time's nanoseconds within its millisecond (0 to 999 999); reserved (0) in format 1. */
export const RECEIVED_SUB_MS_WORD = 1;
/** Int32 offset of the low half of the sequence number. */
export const SEQUENCE_LOW_WORD = 2;
/** Int32 offset of the high half of the sequence number. */
export const SEQUENCE_HIGH_WORD = 3;
/** Int32 offset of the receive time's whole epoch milliseconds (a float64 over two words), 0 when none was given. */
export const RECEIVED_MS_WORD = 4;
/** 2^32, to join and split 64-bit values stored as two 32-bit words. */
export const TWO_POW_32 = 4294967296;
