/**
 * BookResync against a real local HTTP server standing in for Binance's REST depth endpoint: the snapshot
 * is delivered as a marked record; a 429 with `Retry-After` blocks requests for that long; the request-weight
 * budget holds a request back until the minute ends; other venues get an unsubscribe + subscribe per symbol.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { binanceRestBody } from '@marketpipe/test-support/book-samples';
import { waitFor } from '@marketpipe/test-support/wait-for';
import { afterEach, describe, expect, it } from 'vitest';
import { BookResync } from '../../src/runner/book-resync.js';

const NO_JITTER = { initialDelayMs: 50, maxDelayMs: 50, multiplier: 1 };
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function restServer(
  answer: (n: number) => { status: number; headers?: Record<string, string>; body: string },
) {
  const requests: Array<{ url: string; at: number }> = [];
  const server: Server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', at: Date.now() });
    const { status, headers, body } = answer(requests.length);
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return { requests, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v3/depth` };
}

const SOON = { timeoutMs: 10_000, everyMs: 10 };

describe('BookResync', () => {
  it('binance: delivers the REST body as a marked record; a 429 with Retry-After holds the next request back', async () => {
    const rest = await restServer((n) =>
      n === 1
        ? { status: 429, headers: { 'retry-after': '1' }, body: '{"code":-1003}' }
        : { status: 200, body: binanceRestBody(158) },
    );
    const delivered: string[] = [];
    const errors: string[] = [];
    const resync = new BookResync({
      venue: 'binance',
      venueDepth: 100,
      send: () => false,
      deliver: (record) => {
        delivered.push(Buffer.from(record).toString());
        resync.satisfied('BNBBTC');
      },
      snapshotUrl: rest.url,
      backoff: NO_JITTER,
      onError: (_symbol, error) => errors.push(error.message),
      random: () => 0.5,
    });
    cleanups.push(() => resync.stop());
    resync.request('BNBBTC', 'noSnapshot');
    await waitFor('the REST body', () => delivered.length === 1, SOON);
    expect(rest.requests.map((r) => r.url)).toEqual([
      '/api/v3/depth?symbol=BNBBTC&limit=100',
      '/api/v3/depth?symbol=BNBBTC&limit=100',
    ]);
    // Retry-After: 1 s, not the 50 ms backoff.
    expect(rest.requests[1]!.at - rest.requests[0]!.at).toBeGreaterThanOrEqual(900);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('HTTP 429');
    expect(JSON.parse(delivered[0]!)).toEqual({
      marketpipe: 'bookSnapshot',
      venue: 'binance',
      symbol: 'BNBBTC',
      body: JSON.parse(binanceRestBody(158)),
    });
    expect(resync.counters()).toEqual({ snapshotRequests: 2, snapshotErrors: 1, resubscribes: 0 });
  });

  it('binance: keeps within the request-weight budget per minute', async () => {
    const rest = await restServer(() => ({ status: 200, body: binanceRestBody(1) }));
    const resync = new BookResync({
      venue: 'binance',
      venueDepth: 100, // weight 5
      send: () => false,
      deliver: () => {},
      snapshotUrl: rest.url,
      backoff: NO_JITTER,
      weightPerMinute: 5,
      onError: () => {},
    });
    cleanups.push(() => resync.stop());
    resync.request('BNBBTC');
    resync.request('ETHBTC');
    await waitFor('the first REST request', () => rest.requests.length === 1, SOON);
    await new Promise((r) => setTimeout(r, 500));
    expect(rest.requests).toHaveLength(1);
    expect(resync.counters().snapshotRequests).toBe(1);
  });

  it('okx: unsubscribes and subscribes the symbol, and asks again later until its snapshot comes', async () => {
    const sent: string[] = [];
    const resync = new BookResync({
      venue: 'okx',
      venueDepth: 400,
      send: (frame) => {
        sent.push(frame);
        return true;
      },
      deliver: () => {},
      snapshotUrl: 'http://127.0.0.1:1/unused',
      backoff: NO_JITTER,
      onError: () => {},
    });
    cleanups.push(() => resync.stop());
    resync.request('BTC-USDT', 'gap');
    resync.request('BTC-USDT', 'gap'); // already scheduled: no second resubscribe
    await waitFor('two requests', () => sent.length === 2, SOON);
    resync.satisfied('BTC-USDT');
    expect(sent).toEqual([
      '{"op":"unsubscribe","args":[{"channel":"books","instId":"BTC-USDT"}]}',
      '{"op":"subscribe","args":[{"channel":"books","instId":"BTC-USDT"}]}',
    ]);
    expect(resync.counters().resubscribes).toBe(1);
  });
});
