/**
 * A loopback TCP proxy that keeps every byte a client sent, so a test can
 * prove what went over the wire (for one, that no CONNECT with a password was
 * sent in plaintext).
 */
import { createServer, type Socket, connect as tcpConnect } from 'node:net';

/** A running recording proxy. */
export interface RecordingProxy {
  readonly port: number;
  /** Everything clients sent so far, all connections concatenated. */
  clientBytes(): Buffer;
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 (port chosen by the OS) forwarding to `127.0.0.1:targetPort`. */
export async function startRecordingProxy(targetPort: number): Promise<RecordingProxy> {
  const sockets = new Set<Socket>();
  const received: Buffer[] = [];
  let connections = 0;
  const server = createServer((client) => {
    connections++;
    const upstream = tcpConnect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    }
    const cut = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', cut).on('close', cut);
    upstream.on('error', cut).on('close', cut);
    client.on('data', (chunk: Buffer) => {
      received.push(Buffer.from(chunk));
      upstream.write(chunk);
    });
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no TCP address');
  return {
    port: address.port,
    clientBytes: () => Buffer.concat(received),
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
