/**
 * Core NATS `PUB` frames written by {@link NatsTransport} itself into shared slabs, handed to the client once per
 * event-loop turn. nats.js builds a protocol string, encodes it and queues three buffers per publish; writing the
 * frame in place costs about a fifth of that (docs/design/transport.md, "The publish path").
 */
import { DOUBLE_FIELD, doubleArray } from '../double-field.js';

/** Bytes per slab. */
const SLAB_BYTES = 64 * 1024;
/** Larger frames get a buffer of their own, so one big message cannot waste most of a slab. */
const MAX_SLAB_FRAME = SLAB_BYTES / 8;
/** Slabs kept for reuse once their frames are given back; beyond this they are left to the garbage collector. */
const MAX_SPARE_SLABS = 4;
/**
 * Full slabs tracked for reuse (64 MiB, the transport's default bound on unacknowledged bytes). Past it, as when a
 * broker stops answering, the oldest is forgotten: never reused, freed by the garbage collector with its frames.
 */
const MAX_RETIRED_SLABS = 1024;
const CR = 13;
const LF = 10;
const ZERO = 48;
const encoder = new TextEncoder();

/** `PUB <subject> `: the part of a frame that depends only on the subject, encoded once per subject. */
export function pubPrefix(subject: string): Uint8Array {
  return encoder.encode(`PUB ${subject} `);
}

function decimalDigits(n: number): number {
  let digits = 1;
  for (let rest = n; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  return digits;
}

/** Writes `<prefix><length>\r\n<payload>\r\n` at `at`; returns the end offset. */
function writeFrame(
  out: Uint8Array,
  at: number,
  prefix: Uint8Array,
  payload: Uint8Array,
  digits: number,
): number {
  let i = at;
  // A byte loop beats TypedArray#set's call for a ~30-byte prefix.
  for (let k = 0; k < prefix.length; k++) out[i++] = prefix[k] as number;
  let rest = payload.byteLength;
  for (let k = i + digits - 1; k >= i; k--) {
    out[k] = ZERO + (rest % 10);
    rest = Math.floor(rest / 10);
  }
  i += digits;
  out[i++] = CR;
  out[i++] = LF;
  out.set(payload, i);
  i += payload.byteLength;
  out[i++] = CR;
  out[i++] = LF;
  return i;
}

/**
 * The payload length a frame written by {@link PubFrames.write} announces.
 * @param prefixLength the length of the frame's {@link pubPrefix}.
 */
export function framePayloadLength(frame: Uint8Array, prefixLength: number): number {
  let length = 0;
  for (let i = prefixLength; i < frame.length && frame[i] !== CR; i++)
    length = length * 10 + ((frame[i] as number) - ZERO);
  return length;
}

/**
 * Writes PUB frames into 64 KiB slabs and hands each turn's frames to `sink` as one contiguous view, at the end of
 * the turn (a microtask) or earlier when order requires it ({@link handOver}). The returned frames stay valid as
 * copies for re-sends until the caller gives them back ({@link recycleThrough}); only then is their slab written
 * again. Reusing slabs matters: a new 64 KiB array took 5-8 µs at p50 and up to 70 µs (zeroed memory, its pages
 * faulted in), once every ~400 publishes, inside `publish` (docs/design/transport.md, "Slabs reused").
 */
export class PubFrames {
  private slab = new Uint8Array(SLAB_BYTES);
  private used = 0;
  /** Start of the frames written but not yet handed to the sink. */
  private pendingFrom = 0;
  private scheduled = false;
  /** The highest publish number written into the current slab. */
  private slabLastOrdinal = DOUBLE_FIELD;
  /** Full slabs whose frames the caller may still hold, oldest first, with the highest number written into each. */
  private readonly retired: Uint8Array<ArrayBuffer>[] = [];
  private readonly retiredLastOrdinal: number[] = doubleArray();
  /** Slabs whose frames were all given back, ready to be written again. */
  private readonly spare: Uint8Array<ArrayBuffer>[] = [];

  /** @param sink receives frames in the order they were written, e.g. the client's protocol command queue. */
  constructor(private readonly sink: (frames: Uint8Array) => void) {
    // Publish numbers pass 2^31 in a long run: a double from the start (DOUBLE_FIELD), at 0.
    this.slabLastOrdinal = 0;
  }

  /**
   * Writes the frame publishing `payload` under `prefix`'s subject and returns it (an owned copy that no later
   * call overwrites until it is given back with {@link recycleThrough}). It reaches the sink at the end of the turn.
   *
   * @param ordinal the publish's number; numbers never decrease from one call to the next.
   */
  write(prefix: Uint8Array, payload: Uint8Array, ordinal: number): Uint8Array {
    const digits = decimalDigits(payload.byteLength);
    const size = prefix.length + digits + payload.byteLength + 4;
    if (size > MAX_SLAB_FRAME) {
      const own = new Uint8Array(size);
      writeFrame(own, 0, prefix, payload, digits);
      this.sendNow(own);
      return own;
    }
    if (this.used + size > SLAB_BYTES) this.nextSlab();
    const start = this.used;
    this.used = writeFrame(this.slab, start, prefix, payload, digits);
    this.slabLastOrdinal = ordinal;
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.endOfTurn);
    }
    return this.slab.subarray(start, this.used);
  }

  /** Hands `frame` (e.g. a re-send) to the sink now, after the frames still pending. */
  sendNow(frame: Uint8Array): void {
    this.handOver();
    this.sink(frame);
  }

  /** Hands the frames written since the last hand-over to the sink now, e.g. before a PING must follow them. */
  handOver(): void {
    if (this.used === this.pendingFrom) return;
    const frames = this.slab.subarray(this.pendingFrom, this.used);
    this.pendingFrom = this.used;
    this.sink(frames);
  }

  /** Forgets the frames not yet handed over: the connection dropped, and the caller re-sends them from its copies. */
  discardPending(): void {
    this.pendingFrom = this.used;
  }

  /**
   * Gives back every frame written with a number up to `ordinal`: the caller holds none of them any more, and the
   * connection is done with their bytes (the server acknowledged them). Full slabs holding only such frames are
   * written again.
   */
  recycleThrough(ordinal: number): void {
    const retired = this.retired;
    const lastOrdinals = this.retiredLastOrdinal;
    let done = 0;
    while (done < retired.length && (lastOrdinals[done] as number) <= ordinal) {
      if (this.spare.length < MAX_SPARE_SLABS) this.spare.push(retired[done] as Uint8Array<ArrayBuffer>);
      done++;
    }
    if (done > 0) {
      retired.splice(0, done);
      lastOrdinals.splice(0, done);
    }
  }

  /** Hands over what is pending and continues in a spare slab, or a new one. */
  private nextSlab(): void {
    this.handOver();
    if (this.retired.length === MAX_RETIRED_SLABS) {
      this.retired.shift();
      this.retiredLastOrdinal.shift();
    }
    this.retired.push(this.slab);
    this.retiredLastOrdinal.push(this.slabLastOrdinal);
    this.slab = this.spare.pop() ?? new Uint8Array(SLAB_BYTES);
    this.used = 0;
    this.pendingFrom = 0;
  }

  private readonly endOfTurn = (): void => {
    this.scheduled = false;
    this.handOver();
  };
}
