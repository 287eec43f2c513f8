/**
 * Validated publish targets of a network transport, cached by subject, so a
 * publish to a prepared target (or to a subject seen before) validates
 * nothing and builds nothing.
 */

import { InvalidSubjectError } from '../errors.js';
import { pubPrefix } from './pub-frames.js';
import { findSubjectProblem } from './subject.js';
import type { PublishTarget } from './transport.js';

/** A subject validated by the cache that made it; the owner tells its own targets from foreign ones. */
export class CachedTarget implements PublishTarget {
  private prefix: Uint8Array | undefined;

  constructor(
    readonly subject: string,
    readonly owner: PublishTargetCache,
  ) {}

  /** The subject's `PUB <subject> ` line start, encoded on first use. */
  pubPrefix(): Uint8Array {
    if (this.prefix === undefined) this.prefix = pubPrefix(this.subject);
    return this.prefix;
  }
}

/**
 * Validates subjects once and hands out targets that carry the subject (and,
 * once asked for, its encoded PUB line start). Used by {@link NatsTransport}
 * and {@link JetStreamTransport}.
 *
 * @example
 * ```ts
 * const targets = new PublishTargetCache(10_000);
 * const btc = targets.get('trades.binance.BTCUSDT'); // validated once
 * targets.resolve(btc).subject; // no lookup: the cache made it
 * ```
 */
export class PublishTargetCache {
  private readonly targets = new Map<string, CachedTarget>();

  /**
   * @param maxCached How many distinct subjects keep a cached target; beyond
   *   that, unknown subjects are validated on every use.
   * @param accept Extra check after the NATS subject rules (throws to refuse),
   *   e.g. that a stream captures the subject.
   */
  constructor(
    private readonly maxCached: number,
    private readonly accept?: (subject: string) => void,
  ) {}

  /**
   * The cache's own target for `subject`: returned as is when this cache made
   * it, otherwise looked up (and validated) by its subject string.
   * @throws InvalidSubjectError, or whatever `accept` throws, for a refused subject.
   */
  resolve(subject: string | PublishTarget): CachedTarget {
    if (typeof subject === 'string') return this.get(subject);
    if ((subject as Partial<CachedTarget>).owner === this) return subject as CachedTarget;
    return this.get(subject.subject);
  }

  /**
   * The cached target for `subject`, validating and caching it on first use.
   * @throws InvalidSubjectError, or whatever `accept` throws, for a refused subject.
   */
  get(subject: string): CachedTarget {
    const cached = this.targets.get(subject);
    if (cached) return cached;
    const problem = findSubjectProblem(subject, false);
    if (problem !== undefined) throw new InvalidSubjectError(subject, problem);
    this.accept?.(subject);
    const target = new CachedTarget(subject, this);
    if (this.targets.size < this.maxCached) this.targets.set(subject, target);
    return target;
  }
}
