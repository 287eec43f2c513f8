/** Polling for conditions that other processes or timers make true. */

/**
 * Resolves once `check()` is true, polling every `everyMs`; rejects after
 * `timeoutMs` with `what` and the state `describe()` gives.
 *
 * @example
 * ```ts
 * await waitFor(() => sim.stats().openConnections === 1, 'the app to connect');
 * ```
 */
export async function waitFor(
  check: () => boolean,
  what: string,
  options: { timeoutMs?: number; everyMs?: number; describe?: () => string } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (!check()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${options.describe ? `:\n${options.describe()}` : ''}`);
    }
    await sleep(options.everyMs ?? 20);
  }
}

/** A plain delay. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
