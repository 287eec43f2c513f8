/** Polling helper for the socket tests: real I/O, no fake timers. */

/** Resolves once `condition()` is true; rejects with `what` after `timeoutMs` (generous: the machine is shared). */
export async function waitFor(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Waits `ms` of wall time. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Counts of the handle kinds that would keep the process alive (sockets, servers, timers). */
export function openHandles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) {
    if (kind === 'TCPSocketWrap' || kind === 'TCPServerWrap' || kind === 'Timeout') {
      counts[kind] = (counts[kind] ?? 0) + 1;
    }
  }
  return counts;
}
