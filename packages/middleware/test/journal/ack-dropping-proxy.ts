/**
 * A loopback TCP proxy in front of nats-server that can silently drop
 * everything the server sends. It makes "the server stored the message but
 * the acknowledgement never arrived" deterministic, which is the case message
 * ids exist for.
 */
import { createServer, type Socket, connect as tcpConnect } from 'node:net';

/** A running proxy; point the client at {@link AckDroppingProxy.url}. */
export interface AckDroppingProxy {
  /** `nats://127.0.0.1:<port>` of the proxy. */
  readonly url: string;
  /** While true, bytes from the server are counted and discarded instead of forwarded. */
  dropServerBytes: boolean;
  /** Server bytes discarded so far. */
  readonly droppedBytes: number;
  /** Stops listening and cuts every proxied connection. */
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 (port chosen by the OS) forwarding to `127.0.0.1:targetPort`. */
export async function startAckDroppingProxy(targetPort: number): Promise<AckDroppingProxy> {
  const sockets = new Set<Socket>();
  let dropped = 0;
  const proxy = {
    url: '',
    dropServerBytes: false,
    get droppedBytes() {
      return dropped;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        listener.close(() => resolve());
      }),
  };
  const listener = createServer((client) => {
    const upstream = tcpConnect(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    const cut = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => {
      if (proxy.dropServerBytes) dropped += chunk.length;
      else client.write(chunk);
    });
    for (const socket of [client, upstream]) {
      socket.on('close', cut);
      socket.on('error', cut);
    }
  });
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(0, '127.0.0.1', () => resolve());
  });
  const address = listener.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no TCP address');
  proxy.url = `nats://127.0.0.1:${address.port}`;
  return proxy;
}
