/**
 * Shared pieces of the flusher integration tests: a numbered payload stream
 * whose bytes can be recomputed from the sequence.
 */

/**
 * Payload of record `sequence`: its number and a newline, then a run of bytes
 * derived from it (including NUL, 0xff and other invalid UTF-8), 0 to 299
 * bytes long; every 50th payload is empty.
 */
export function payloadFor(sequence: number): Uint8Array {
  if (sequence % 50 === 49) return new Uint8Array(0);
  const head = new TextEncoder().encode(`${sequence}\n`);
  const bytes = new Uint8Array(head.length + ((sequence * 7919) % 300));
  bytes.set(head);
  for (let i = head.length; i < bytes.length; i++) bytes[i] = (sequence + i * 31) & 0xff;
  return bytes;
}
