/**
 * Process 1 of the live-path suite: a venue on loopback. It accepts WebSocket clients and, on the suite's word,
 * sends `count` Binance trades at `rate` messages/s to every client (the first `warmup` of them at `warmupRate`,
 * then a pause until the suite says `go`), stamping each send.
 *
 * Pacing: a 1 ms timer; each turn sends the messages due by now (rate x elapsed), so 10 000 msg/s go out in
 * bursts of about 10 as a real venue's do, without spinning a core the other processes need. The stamp is taken
 * per message right before its `send`.
 */
import { WebSocketServer } from 'ws';
import { binanceTrade, monotonicNs } from './binance-tape.js';
import { onParent, tellParent, writeTimes } from './child-link.js';

const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
server.on('listening', () => {
  const address = server.address();
  tellParent({ type: 'listening', port: typeof address === 'object' && address !== null ? address.port : 0 });
});
server.on('connection', (socket) => {
  socket.on('error', () => undefined);
  tellParent({ type: 'client', clients: server.clients.size });
});

/**
 * Sends messages `[from, to)` at `rate`, then calls `done`. The first `warmup` messages of a run go out on their own
 * at `warmupRate` before the paced ones, and the server waits for the suite's `go` in between (the consumers are
 * then drained and their own timing reset): at 1 000 msg/s, V8 takes a few thousand messages to optimize the whole
 * path, and a 3 s run would otherwise time mostly the JIT's warm-up (docs/design/latency-tail.md).
 */
function pace(
  frames: readonly string[],
  times: Float64Array,
  from: number,
  to: number,
  rate: number,
  done: () => void,
): void {
  const started = performance.now();
  let next = from;
  const turn = (): void => {
    const due = Math.min(to, from + Math.floor(((performance.now() - started) * rate) / 1000) + 1);
    while (next < due) {
      times[next] = monotonicNs();
      for (const client of server.clients) client.send(frames[next] as string);
      next++;
    }
    if (next < to) setTimeout(turn, 1);
    else done();
  };
  turn();
}

let resume: (() => void) | undefined;

function send(rate: number, count: number, warmup: number, warmupRate: number, timesPath: string): void {
  const times = new Float64Array(count);
  const frames = Array.from({ length: count }, (_, i) => binanceTrade(i));
  const paced = (): void =>
    pace(frames, times, warmup, count, rate, () => {
      writeTimes(timesPath, times);
      tellParent({ type: 'sent', count });
    });
  if (warmup === 0) paced();
  else
    pace(frames, times, 0, warmup, warmupRate, () => {
      resume = paced;
      tellParent({ type: 'warmed', count: warmup });
    });
}

onParent((message) => {
  if (message.type === 'send')
    send(
      message.rate as number,
      message.count as number,
      (message.warmup as number | undefined) ?? 0,
      (message.warmupRate as number | undefined) ?? (message.rate as number),
      message.timesPath as string,
    );
  else if (message.type === 'go') {
    const paced = resume;
    resume = undefined;
    paced?.();
  } else if (message.type === 'drop-clients') {
    for (const client of server.clients) client.terminate();
  } else if (message.type === 'close') {
    for (const client of server.clients) client.terminate();
    server.close(() => process.exit(0));
  }
});
