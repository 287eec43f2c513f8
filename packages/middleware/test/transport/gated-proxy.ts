/**
 * A loopback TCP proxy the outage test puts between the publisher and
 * nats-server. Closing the gate refuses new connections, so the test decides
 * when the publisher may reconnect: only after the subscriber has
 * re-registered its interest, otherwise the server would route the replay to
 * nobody and the loss would be the test's own race, not the transport's.
 */
import { createServer, type Socket, connect as tcpConnect } from 'node:net';

/** A running proxy; `open` can be flipped at any time. */
export interface GatedProxy {
  /** `nats://127.0.0.1:<port>` of the proxy. */
  readonly url: string;
  /** When false, new client connections are dropped at once (existing ones stay). */
  open: boolean;
  /** Stops listening and cuts every proxied connection. */
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 (port chosen by the OS) forwarding to `127.0.0.1:targetPort`. */
export async function startGatedProxy(targetPort: number): Promise<GatedProxy> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const state = { open: true };
  const server = createServer((client) => {
    track(client);
    if (!state.open) {
      client.destroy();
      return;
    }
    const upstream = tcpConnect(targetPort, '127.0.0.1');
    track(upstream);
    const cut = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', cut).on('close', cut);
    upstream.on('error', cut).on('close', cut);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no TCP address');
  return {
    url: `nats://127.0.0.1:${address.port}`,
    get open() {
      return state.open;
    },
    set open(value: boolean) {
      state.open = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
