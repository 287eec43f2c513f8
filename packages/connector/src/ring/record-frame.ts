/**
 * Layout of one record (frame) in the ring's data area.
 *
 * A record starts on a slot boundary and takes
 * `ceil((RECORD_HEADER_BYTES + payload length) / slotSize)` contiguous slots:
 *
 * | byte offset | field                                                      |
 * |-------------|------------------------------------------------------------|
 * | 0           | commit word, int32: 0 = not committed; > 0 = data frame of |
 * |             | that many bytes (header + payload); < 0 = padding frame    |
 * |             | of minus that many bytes, running to the end of the ring   |
 * | 4           | reserved, 0                                                |
 * | 8           | sequence number, low 32 bits                               |
 * | 12          | sequence number, high 32 bits                              |
 * | 16          | payload                                                    |
 *
 * The commit word is written last, with a release store, and it is the only
 * word a reader trusts before it is non-zero: a record whose writer died half
 * way has a zero commit word and is never read as data.
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
