/**
 * Shared pieces of the flusher integration tests: a numbered payload stream
 * whose bytes can be recomputed from the sequence, and polling helpers.
 */
import { setTimeout as sleep } from 'node:timers/promises';

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

/** Polls `condition` every 5 ms until it holds; fails with `what` after `timeoutMs` (a safety net, not a timing check). */
export async function waitFor(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}
