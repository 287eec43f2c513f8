/** Open-handle counting for the socket tests (polling lives in @marketpipe/test-support/wait-for). */

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
