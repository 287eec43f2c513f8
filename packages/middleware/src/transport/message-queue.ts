import { doubleArray } from '../double-field.js';

/**
 * FIFO of owned payload copies with their publish target and ordinal, used by
 * {@link NatsTransport} to hold messages awaiting broker acknowledgement or
 * replay. Parallel arrays with a moving head instead of one object per entry
 * keep a push to a plain array store; the arrays are compacted once the
 * consumed prefix dominates, so the cost is amortized O(1).
 */
export class MessageQueue<T> {
  private targets: (T | undefined)[] = [];
  private payloads: (Uint8Array | undefined)[] = [];
  // Publish ordinals pass 2^31 in a long run: doubles from the start (doubleArray), or the first such push
  // changes the array's kind and deoptimizes the publish path.
  private ordinals: number[] = doubleArray();
  private head = 0;
  private byteCount = 0;

  /** Number of queued messages. */
  get length(): number {
    return this.ordinals.length - this.head;
  }

  /** Sum of queued payload sizes in bytes. */
  get bytes(): number {
    return this.byteCount;
  }

  /** Appends an entry; `payload` must already be owned by the queue (a copy). */
  push(target: T, payload: Uint8Array, ordinal: number): void {
    this.targets.push(target);
    this.payloads.push(payload);
    this.ordinals.push(ordinal);
    this.byteCount += payload.byteLength;
  }

  /** Target of the oldest entry; only valid when `length > 0`. */
  firstTarget(): T {
    return this.targets[this.head] as T;
  }

  /** Payload of the oldest entry; only valid when `length > 0`. */
  firstPayload(): Uint8Array {
    return this.payloads[this.head] as Uint8Array;
  }

  /** Ordinal of the oldest entry, or `Infinity` when empty. */
  firstOrdinal(): number {
    return this.head < this.ordinals.length ? (this.ordinals[this.head] as number) : Number.POSITIVE_INFINITY;
  }

  /** Removes the oldest entry (no-op when empty). */
  dropFirst(): void {
    if (this.head >= this.ordinals.length) return;
    this.byteCount -= (this.payloads[this.head] as Uint8Array).byteLength;
    this.targets[this.head] = undefined;
    this.payloads[this.head] = undefined;
    this.head++;
    if (this.head === this.ordinals.length) {
      this.clear();
    } else if (this.head >= 1024 && this.head * 2 >= this.ordinals.length) {
      this.targets.splice(0, this.head);
      this.payloads.splice(0, this.head);
      this.ordinals.splice(0, this.head);
      this.head = 0;
    }
  }

  /** Removes every entry. */
  clear(): void {
    this.targets.length = 0;
    this.payloads.length = 0;
    this.ordinals.length = 0;
    this.head = 0;
    this.byteCount = 0;
  }
}
