/**
 * Layout of one record (frame) in the ring's data area: a 16-byte header whose commit word is written last, then the
 * payload, over whole slots. Field table: docs/design/ring-buffer.md#record-frame.
 */

/** Bytes of header in front of every payload. */
export const RECORD_HEADER_BYTES = 16;
/** Int32 offset of the commit word from the record start. */
export const COMMIT_WORD = 0;
/** Int32 offset of the low half of the sequence number. */
export const SEQUENCE_LOW_WORD = 2;
/** Int32 offset of the high half of the sequence number. */
export const SEQUENCE_HIGH_WORD = 3;
/** 2^32, to join and split 64-bit values stored as two 32-bit words. */
export const TWO_POW_32 = 4294967296;
