/**
 * Live book resync over real sockets: a test-only WebSocket server (and, for Binance, an HTTP server for
 * the REST depth snapshot) plays the verbatim samples to a pipeline with a live source.
 * - Binance: the REST snapshot is fetched (symbol and limit in the query), recorded as a marked record,
 *   and after a gap fetched again; replaying the recording publishes exactly the same BookUpdates.
 * - Binance: a reconnect voids the book until a new REST snapshot, and the recording says so, so its replay
 *   publishes the same updates.
 * - Bybit: the book channel is subscribed at the venue depth; a gap makes the pipeline unsubscribe and
 *   resubscribe that symbol, and the snapshot that follows is published as a resync.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryTransport } from '@marketpipe/middleware';
import { binanceRestBody, bookLines } from '@marketpipe/test-support/book-samples';
import { waitFor } from '@marketpipe/test-support/wait-for';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { BookView } from '../../src/books/book-view.js';
import { Pipeline, type SourceSpec } from '../../src/runner/pipeline.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'marketpipe-books-live-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function wsServer(onConnection: (socket: WebSocket) => void): Promise<string> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(wss, 'listening');
  wss.on('connection', onConnection);
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  );
  return `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
}

const SOON = { timeoutMs: 10_000, everyMs: 10 };

function collect(transport: InMemoryTransport): string[] {
  const out: string[] = [];
  const view = new BookView();
  transport.subscribe('test.*.book.>', (payload) => {
    view.wrap(payload);
    const u = view.toUpdate();
    out.push(
      JSON.stringify({
        ...u,
        timestampNanos: String(u.timestampNanos),
        receivedNanos: undefined,
        sequence: String(u.sequence),
      }),
    );
  });
  return out;
}

const BINANCE = bookLines('binance'); // ack, 150-155, 156-160, 161-163, 164-170, 172-175 (a gap)

describe('Pipeline books over a live socket', () => {
  it('binance: fetches the REST snapshot, records it, refetches after a gap; a replay of the recording publishes the same', async () => {
    const requests: string[] = [];
    const http: Server = createServer((req, res) => {
      requests.push(req.url ?? '');
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-mbx-used-weight-1m', '5');
      res.end(requests.length === 1 ? binanceRestBody(158) : binanceRestBody(173));
    });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    cleanups.push(() => new Promise<void>((r) => http.close(() => r())));
    const snapshotUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/api/v3/depth`;

    let socket: WebSocket | undefined;
    const url = await wsServer((ws) => {
      socket = ws;
      for (const line of BINANCE.slice(0, 4)) ws.send(line);
    });
    const dataDir = tempDir();
    const transport = new InMemoryTransport();
    const live = collect(transport);
    const pipeline = await Pipeline.start({
      venue: 'binance',
      symbols: ['BNBBTC'],
      source: { kind: 'live', url },
      transport,
      env: 'test',
      dataDir,
      channels: ['books'],
      books: { snapshotUrl },
    });
    await waitFor('the first REST snapshot', () => pipeline.status().books?.snapshots === 1, SOON);
    socket!.send(BINANCE[4]!);
    socket!.send(BINANCE[5]!); // the gap: buffered, and a new snapshot fetched
    await waitFor('the snapshot after the gap', () => pipeline.status().books?.snapshots === 2, SOON);
    socket!.send(
      '{"stream":"bnbbtc@depth@100ms","data":{"e":"depthUpdate","E":1672515782136,"s":"BNBBTC","U":176,"u":180,"b":[["0.0024","0"]],"a":[]}}',
    );
    await waitFor('seven updates', () => live.length === 7, SOON);
    const summary = await pipeline.stop();
    await transport.close();
    expect(requests).toEqual([
      '/api/v3/depth?symbol=BNBBTC&limit=100',
      '/api/v3/depth?symbol=BNBBTC&limit=100',
    ]);
    expect(live.map((u) => JSON.parse(u)).map((u) => [u.isSnapshot, u.sequence])).toEqual([
      [true, '158'],
      [false, '160'],
      [false, '163'],
      [false, '170'],
      [true, '173'],
      [false, '175'],
      [false, '180'],
    ]);
    expect(summary.books).toMatchObject({
      updates: 7,
      snapshots: 2,
      gaps: 1,
      resyncs: 1,
      restSnapshots: 2,
      snapshotRequests: 2,
      snapshotErrors: 0,
      unsynced: 0,
    });

    // Our own recording, replayed: the same books, update for update.
    const replayTransport = new InMemoryTransport();
    const replayed = collect(replayTransport);
    const source: SourceSpec = { kind: 'replay', path: join(dataDir, 'binance'), pace: 'fast' };
    const replay = await Pipeline.start({
      venue: 'binance',
      symbols: ['BNBBTC'],
      source,
      transport: replayTransport,
      env: 'test',
      dataDir: tempDir(),
      channels: ['books'],
    });
    await replay.done;
    const replaySummary = await replay.stop();
    await replayTransport.close();
    expect(replayed).toEqual(live);
    expect(replaySummary.books).toMatchObject({
      updates: 7,
      resyncs: 1,
      restSnapshots: 2,
      snapshotRequests: 0,
    });
  });

  it('binance: a reconnect voids the book until a new REST snapshot; a replay of the recording publishes the same', async () => {
    let requests = 0;
    const http: Server = createServer((_req, res) => {
      requests++;
      res.setHeader('content-type', 'application/json');
      // The second snapshot, after the reconnect, falls inside the stream the new connection buffered.
      res.end(requests === 1 ? binanceRestBody(158) : binanceRestBody(166));
    });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    cleanups.push(() => new Promise<void>((r) => http.close(() => r())));
    const snapshotUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/api/v3/depth`;

    let connections = 0;
    let socket: WebSocket | undefined;
    const url = await wsServer((ws) => {
      connections++;
      socket = ws;
      // Contiguous across the reconnect (164 follows 163): only the reset tells a replay the book is void.
      for (const line of connections === 1 ? BINANCE.slice(0, 4) : [BINANCE[0]!, BINANCE[4]!]) ws.send(line);
    });
    const dataDir = tempDir();
    const transport = new InMemoryTransport();
    const live = collect(transport);
    const pipeline = await Pipeline.start({
      venue: 'binance',
      symbols: ['BNBBTC'],
      source: { kind: 'live', url },
      transport,
      env: 'test',
      dataDir,
      channels: ['books'],
      books: { snapshotUrl },
    });
    await waitFor('the first snapshot and two events', () => live.length === 3, SOON);
    socket!.terminate();
    await waitFor('the snapshot after the reconnect', () => pipeline.status().books?.snapshots === 2, SOON);
    await waitFor('five updates', () => live.length === 5, SOON);
    const summary = await pipeline.stop();
    await transport.close();
    expect(summary.source.reconnects).toBe(1);
    expect(live.map((u) => JSON.parse(u)).map((u) => [u.isSnapshot, u.sequence])).toEqual([
      [true, '158'],
      [false, '160'],
      [false, '163'],
      [true, '166'],
      [false, '170'],
    ]);
    expect(summary.books).toMatchObject({
      updates: 5,
      snapshots: 2,
      gaps: 0,
      restSnapshots: 2,
      malformed: 0,
    });

    const replayTransport = new InMemoryTransport();
    const replayed = collect(replayTransport);
    const replay = await Pipeline.start({
      venue: 'binance',
      symbols: ['BNBBTC'],
      source: { kind: 'replay', path: join(dataDir, 'binance'), pace: 'fast' },
      transport: replayTransport,
      env: 'test',
      dataDir: tempDir(),
      channels: ['books'],
    });
    await replay.done;
    const replaySummary = await replay.stop();
    await replayTransport.close();
    expect(replayed).toEqual(live);
    expect(replaySummary.books).toMatchObject({ updates: 5, snapshots: 2, restSnapshots: 2, malformed: 0 });
  });

  it('bybit: subscribes the book at the venue depth; a gap resubscribes the symbol and its snapshot resyncs', async () => {
    const lines = bookLines('bybit'); // snapshot, 289, 290, 292 (gap), 293, snapshot 300, 301
    const frames: string[] = [];
    const url = await wsServer((ws) => {
      ws.on('message', (data) => {
        const frame = String(data);
        if (frame === '{"op":"ping"}') return;
        frames.push(frame);
        const request = JSON.parse(frame) as { op: string };
        if (request.op !== 'subscribe') return;
        if (frames.length === 1) for (const line of lines.slice(0, 5)) ws.send(line);
        else for (const line of lines.slice(5)) ws.send(line);
      });
    });
    const transport = new InMemoryTransport();
    const live = collect(transport);
    const pipeline = await Pipeline.start({
      venue: 'bybit',
      symbols: ['BTCUSDT'],
      source: { kind: 'live', url },
      transport,
      env: 'test',
      dataDir: tempDir(),
      channels: ['books'],
      depth: 50,
    });
    await waitFor('five updates', () => live.length === 5, SOON);
    const summary = await pipeline.stop();
    await transport.close();
    expect(frames).toEqual([
      '{"op":"subscribe","args":["orderbook.50.BTCUSDT"]}',
      '{"op":"unsubscribe","args":["orderbook.50.BTCUSDT"]}',
      '{"op":"subscribe","args":["orderbook.50.BTCUSDT"]}',
    ]);
    expect(live.map((u) => JSON.parse(u)).map((u) => [u.isSnapshot, u.sequence])).toEqual([
      [true, '18521288'],
      [false, '18521289'],
      [false, '18521290'],
      [true, '18521300'],
      [false, '18521301'],
    ]);
    expect(summary.books).toMatchObject({ gaps: 1, resyncs: 1, resubscribes: 1, unsynced: 1 });
  });
});
