/**
 * Decides when a long-running command stops: the first SIGINT/SIGTERM/SIGHUP
 * or the `--duration` timer requests a graceful stop; a second signal forces
 * the process out (the graceful stop may be stuck on a dead disk or broker).
 */
import type { SignalSource, StopSignal } from '../cli-context.js';
import { MAX_TIMER_MS } from '../options/duration.js';

/** Why a graceful stop was requested. */
export type StopRequest = StopSignal | 'duration' | 'count' | 'output-closed';

/**
 * Listens for stop signals from construction until {@link dispose}.
 *
 * @example
 * ```ts
 * const trigger = new StopTrigger(process, () => process.exit(130));
 * trigger.startTimer(30_000);
 * const why = await trigger.requested; // 'SIGINT', 'SIGTERM' or 'duration'
 * trigger.dispose();
 * ```
 */
export class StopTrigger {
  /** Resolves with the first stop request. */
  readonly requested: Promise<StopRequest>;
  /** Aborted, with the reason in its message, at the first stop request: for APIs that take an `AbortSignal`. */
  readonly signal: AbortSignal;
  private readonly abort = new AbortController();
  private resolveRequest!: (reason: StopRequest) => void;
  private reason: StopRequest | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly onSigint = (): void => this.onSignal('SIGINT');
  private readonly onSigterm = (): void => this.onSignal('SIGTERM');
  private readonly onSighup = (): void => this.onSignal('SIGHUP');

  constructor(
    private readonly signals: SignalSource,
    private readonly onForce: (signal: StopSignal) => void,
  ) {
    this.signal = this.abort.signal;
    this.requested = new Promise((resolve) => {
      this.resolveRequest = resolve;
    });
    signals.on('SIGINT', this.onSigint);
    signals.on('SIGTERM', this.onSigterm);
    // A closed terminal or a supervisor's HUP would otherwise end the process without draining.
    signals.on('SIGHUP', this.onSighup);
  }

  /** The stop request so far, if any. */
  get stopRequested(): StopRequest | undefined {
    return this.reason;
  }

  /** Requests a stop after `ms` (the `--duration`), however long: beyond a timer's limit, timers are chained. */
  startTimer(ms: number): void {
    clearTimeout(this.timer);
    const deadline = performance.now() + ms;
    const arm = (): void => {
      const left = deadline - performance.now();
      if (left <= 0) this.request('duration');
      else this.timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
    };
    arm();
  }

  /** Cancels the timer of {@link startTimer} (a stop already requested stays requested). */
  clearTimer(): void {
    clearTimeout(this.timer);
  }

  /** Requests a stop for another reason (e.g. `--count` reached). */
  request(reason: StopRequest): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    clearTimeout(this.timer);
    this.resolveRequest(reason);
    this.abort.abort(new Error(`stop requested (${reason})`));
  }

  /**
   * Waits for `promise` unless a stop is requested first, then resolves to
   * undefined (a NATS connect, for one, retries until the broker answers). A
   * result arriving after that is handed to `release` so it is not leaked.
   */
  async unlessStopped<T>(promise: Promise<T>, release: (value: T) => void): Promise<T | undefined> {
    const stopped = Symbol('stopped');
    const winner = await Promise.race([promise, this.requested.then(() => stopped)]);
    if (winner !== stopped && this.reason === undefined) return winner as T;
    promise.then(release, () => undefined);
    return undefined;
  }

  /** Removes the signal listeners and the timer. */
  dispose(): void {
    clearTimeout(this.timer);
    this.signals.off('SIGINT', this.onSigint);
    this.signals.off('SIGTERM', this.onSigterm);
    this.signals.off('SIGHUP', this.onSighup);
  }

  private onSignal(signal: StopSignal): void {
    // Any signal once a stop is under way means the user will not wait for it.
    if (this.reason === undefined) this.request(signal);
    else this.onForce(signal);
  }
}

/**
 * Closes a connection or reader that arrived after the stop (the `release` of {@link StopTrigger.unlessStopped}).
 * Nobody waits for it, so a failed close has nobody to tell: it is dropped on purpose, not left unhandled.
 */
export function closeUnused(late: { close(): Promise<unknown> }): void {
  late.close().catch(() => undefined);
}
