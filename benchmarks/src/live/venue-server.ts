/**
 * Process 1 of the live-path suite: a venue on loopback. It accepts WebSocket clients and, on the suite's word,
 * sends `count` Binance trades at `rate` messages/s to every client, stamping each send.
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

function send(rate: number, count: number, timesPath: string): void {
  const times = new Float64Array(count);
  const frames = Array.from({ length: count }, (_, i) => binanceTrade(i));
  const started = performance.now();
  let next = 0;
  const turn = (): void => {
    const due = Math.min(count, Math.floor(((performance.now() - started) * rate) / 1000) + 1);
    while (next < due) {
      times[next] = monotonicNs();
      for (const client of server.clients) client.send(frames[next] as string);
      next++;
    }
    if (next < count) setTimeout(turn, 1);
    else {
      writeTimes(timesPath, times);
      tellParent({ type: 'sent', count });
    }
  };
  turn();
}

onParent((message) => {
  if (message.type === 'send')
    send(message.rate as number, message.count as number, message.timesPath as string);
  else if (message.type === 'drop-clients') {
    for (const client of server.clients) client.terminate();
  } else if (message.type === 'close') {
    for (const client of server.clients) client.terminate();
    server.close(() => process.exit(0));
  }
});
