/** Polling for conditions that other threads, processes or timers make true: real I/O, no fake timers. */

/** Options for {@link waitFor}. */
export interface WaitForOptions {
  /** Give up after this long (a safety net, not a timing check: the machine is shared); default 30 s. */
  timeoutMs?: number;
  /** Poll interval; default 5 ms. */
  everyMs?: number;
  /** State to add to the timeout error, to show what was seen instead. */
  describe?: () => string;
}

/**
 * Resolves once `condition()` is true; rejects with `what` (and `describe()`) after the timeout.
 *
 * @example
 * ```ts
 * await waitFor('the app to connect', () => sim.stats().openConnections === 1);
 * ```
 */
export async function waitFor(
  what: string,
  condition: () => boolean,
  options: WaitForOptions = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${options.describe ? `:\n${options.describe()}` : ''}`);
    }
    await sleep(options.everyMs ?? 5);
  }
}

/** Waits `ms` of wall time. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
