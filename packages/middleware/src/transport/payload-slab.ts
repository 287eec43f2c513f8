/**
 * Owned copies of published payloads, carved from shared slabs instead of one `slice()` each. V8 keeps typed arrays
 * of up to 64 bytes on the heap; a trade (~100 bytes) gets a separately allocated backing store per `slice()`,
 * measured at about 360 ns of CPU per copy against about 60 ns for a slab copy (issue 17, benchmarks/README.md).
 */

/** Bytes per slab. */
const SLAB_BYTES = 64 * 1024;
/** Larger payloads get a copy of their own, so one big message cannot waste most of a slab. */
const MAX_SLAB_COPY = SLAB_BYTES / 8;

/**
 * Hands out copies that are views into 64 KiB slabs. A slab is never written
 * again once a view was handed out of it: a full slab is replaced by a new
 * one, and the garbage collector frees the old one when its last view goes.
 * Copies released in publish order (as the transports release them) keep at
 * most about one slab alive beyond the bytes still held.
 */
export class PayloadSlab {
  // The first slab comes with the first copy: a NatsTransport that writes its own frames never copies here.
  private slab = new Uint8Array(0);
  private used = 0;

  /** An owned copy of `payload` that no later call overwrites. */
  copy(payload: Uint8Array): Uint8Array {
    const length = payload.byteLength;
    // `Buffer#slice` would return a view: copy through the typed-array method.
    if (length > MAX_SLAB_COPY) return Uint8Array.prototype.slice.call(payload);
    if (this.used + length > this.slab.length) {
      this.slab = new Uint8Array(SLAB_BYTES);
      this.used = 0;
    }
    const start = this.used;
    this.used = start + length;
    const view = this.slab.subarray(start, this.used);
    view.set(payload);
    return view;
  }
}
