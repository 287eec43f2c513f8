/**
 * The simulator's book messages have the shape of the venues' own: same keys
 * in the same order, same JSON types, same nesting, as the verbatim samples of
 * BOOK_SAMPLES.md (sections 1c, 1e, 3b, 3c, 4b, 4c, 5b, 5c, 6b, 6c).
 */
import { waitFor } from '@marketpipe/test-support/wait-for';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { VenueName } from '../../src/feeds/venue-feed.js';
import { venueProtocol } from '../../src/feeds/venues.js';
import { SimulatorServer } from '../../src/sources/simulator.js';

const SAMPLES = {
  binanceUpdate:
    '{"e":"depthUpdate","E":1672515782136,"s":"BNBBTC","U":157,"u":160,"b":[["0.0024","10"]],"a":[["0.0026","100"]]}',
  binanceRest:
    '{"lastUpdateId":1027024,"bids":[["4.00000000","431.00000000"]],"asks":[["4.00000200","12.00000000"]]}',
  coinbaseSnapshot:
    '{"type":"snapshot","product_id":"BTC-USD","bids":[["10101.10","0.45054140"]],"asks":[["10102.55","0.57753524"]]}',
  coinbaseUpdate:
    '{"type":"l2update","product_id":"BTC-USD","changes":[["buy","22356.270000","0.00000000"],["buy","22356.300000","1.00000000"]],"time":"2022-08-04T15:25:05.010758Z"}',
  krakenSnapshot:
    '{"channel":"book","type":"snapshot","data":[{"symbol":"MATIC/USD","bids":[{"price":0.5666,"qty":4831.75496356}],"asks":[{"price":0.5668,"qty":4410.79769741}],"checksum":2439117997,"timestamp":"2023-10-06T17:35:55.440295Z"}]}',
  krakenUpdate:
    '{"channel":"book","type":"update","data":[{"symbol":"MATIC/USD","bids":[{"price":0.5657,"qty":1098.3947558}],"asks":[],"checksum":2114181697,"timestamp":"2023-10-06T17:35:55.440295Z"}]}',
  // Spot writes `ts` before `type` (5d's note); the doc examples are the futures order.
  bybitSnapshot:
    '{"topic":"orderbook.50.BTCUSDT","ts":1672304484978,"type":"snapshot","data":{"s":"BTCUSDT","b":[["16493.50","0.006"]],"a":[["16611.00","0.029"]],"u":18521288,"seq":7961638724},"cts":1672304484976}',
  bybitDelta:
    '{"topic":"orderbook.50.BTCUSDT","ts":1687940967466,"type":"delta","data":{"s":"BTCUSDT","b":[["30247.20","30.028"]],"a":[["30248.70","0"]],"u":177400507,"seq":66544703342},"cts":1687940967464}',
  okxSnapshot:
    '{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"snapshot","data":[{"asks":[["8476.98","415","0","13"]],"bids":[["8476.97","256","0","12"]],"ts":"1597026383085","checksum":0,"prevSeqId":-1,"seqId":123456}]}',
  okxUpdate:
    '{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{"asks":[["8476.98","415","0","13"]],"bids":[["8476.97","256","0","12"]],"ts":"1597026383085","checksum":0,"prevSeqId":123456,"seqId":123457}]}',
};

/** Keys in order, JSON types, nesting; arrays by the shape of their elements (empty arrays match any). */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) {
    const shapes = [...new Set(value.map((v) => JSON.stringify(shape(v))))];
    return shapes.length === 0 ? '[]' : shapes.map((s) => JSON.parse(s));
  }
  if (value !== null && typeof value === 'object')
    return Object.entries(value).map(([key, v]) => [key, shape(v)]);
  return typeof value;
}

/** Shapes equal, an empty array on either side matching any array. */
function sameShape(actual: unknown, expected: unknown): void {
  const a = shape(actual);
  const e = shape(expected);
  const prune = (x: unknown, y: unknown): unknown => {
    if (x === '[]' || y === '[]') return '[]';
    if (Array.isArray(x) && Array.isArray(y)) return x.map((v, i) => prune(v, y[i]));
    return x;
  };
  expect(prune(a, e)).toEqual(prune(e, a));
}

const running: SimulatorServer[] = [];
afterEach(async () => {
  for (const sim of running.splice(0)) await sim.stop();
});

async function bookFrames(
  venue: VenueName,
  symbol: string,
  subscribe: string | undefined,
  path = '',
): Promise<string[]> {
  const sim = new SimulatorServer({
    protocol: venueProtocol(venue),
    symbols: [symbol],
    messagesPerSecond: 200,
    seed: 3,
    books: {},
  });
  running.push(sim);
  await sim.start();
  const ws = new WebSocket(`${sim.url}${path}`);
  const frames: string[] = [];
  ws.on('message', (data: Buffer) => frames.push(data.toString('utf8')));
  await new Promise((resolve) => ws.once('open', resolve));
  for (const frame of venueProtocol(venue).subscribeMessages([symbol])) ws.send(frame);
  if (subscribe !== undefined) ws.send(subscribe);
  await waitFor('40 frames', () => frames.length >= 40, { timeoutMs: 15_000, everyMs: 10 });
  ws.terminate();
  return frames;
}

describe("simulator book messages have the shape of the venues' samples", () => {
  it('binance: depthUpdate in the combined-stream wrapper, and the REST snapshot', async () => {
    const frames = await bookFrames(
      'binance',
      'BTCUSDT',
      undefined,
      'stream?streams=btcusdt@trade/btcusdt@depth@100ms',
    );
    const update = frames.map((f) => JSON.parse(f)).find((j) => j.data?.e === 'depthUpdate');
    expect(update.stream).toBe('btcusdt@depth@100ms');
    sameShape(update.data, JSON.parse(SAMPLES.binanceUpdate));
    const rest = await fetch(`${running[0]!.httpUrl}/api/v3/depth?symbol=BTCUSDT&limit=10`);
    sameShape(JSON.parse(await rest.text()), JSON.parse(SAMPLES.binanceRest));
  });

  it('binance: a SUBSCRIBE frame starts the depth stream too, acked and echoed by its name', async () => {
    const frames = await bookFrames(
      'binance',
      'BTCUSDT',
      '{"method":"SUBSCRIBE","params":["btcusdt@depth"],"id":7}',
    );
    expect(frames).toContain('{"result":null,"id":7}');
    const update = frames.map((f) => JSON.parse(f)).find((j) => j.data?.e === 'depthUpdate');
    expect(update.stream).toBe('btcusdt@depth');
  });

  it('coinbase: snapshot and l2update', async () => {
    const frames = (
      await bookFrames(
        'coinbase',
        'BTC-USD',
        '{"type":"subscribe","product_ids":["BTC-USD"],"channels":["level2_batch"]}',
      )
    ).map((f) => JSON.parse(f));
    sameShape(
      frames.find((j) => j.type === 'snapshot'),
      JSON.parse(SAMPLES.coinbaseSnapshot),
    );
    sameShape(
      frames.find((j) => j.type === 'l2update'),
      JSON.parse(SAMPLES.coinbaseUpdate),
    );
  });

  it('kraken: snapshot and update with JSON-number levels, and the per-symbol ack', async () => {
    const frames = (
      await bookFrames(
        'kraken',
        'BTC/USD',
        '{"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD"],"depth":10}}',
      )
    ).map((f) => JSON.parse(f));
    sameShape(
      frames.find((j) => j.channel === 'book' && j.type === 'snapshot'),
      JSON.parse(SAMPLES.krakenSnapshot),
    );
    sameShape(
      frames.find((j) => j.channel === 'book' && j.type === 'update'),
      JSON.parse(SAMPLES.krakenUpdate),
    );
    expect(frames.find((j) => j.method === 'subscribe' && j.result?.channel === 'book').result).toEqual({
      channel: 'book',
      depth: 10,
      snapshot: true,
      symbol: 'BTC/USD',
    });
  });

  it('bybit: spot snapshot and delta', async () => {
    const frames = (
      await bookFrames('bybit', 'BTCUSDT', '{"op":"subscribe","args":["orderbook.50.BTCUSDT"]}')
    ).map((f) => JSON.parse(f));
    const book = frames.filter((j) => typeof j.topic === 'string' && j.topic.startsWith('orderbook.'));
    sameShape(
      book.find((j) => j.type === 'snapshot'),
      JSON.parse(SAMPLES.bybitSnapshot),
    );
    sameShape(
      book.find((j) => j.type === 'delta'),
      JSON.parse(SAMPLES.bybitDelta),
    );
  });

  it('okx: snapshot and update, with a non-zero checksum', async () => {
    const frames = (
      await bookFrames(
        'okx',
        'BTC-USDT',
        '{"op":"subscribe","args":[{"channel":"books","instId":"BTC-USDT"}]}',
      )
    ).map((f) => JSON.parse(f));
    const book = frames.filter((j) => j.arg?.channel === 'books' && j.event === undefined);
    sameShape(
      book.find((j) => j.action === 'snapshot'),
      JSON.parse(SAMPLES.okxSnapshot),
    );
    sameShape(
      book.find((j) => j.action === 'update'),
      JSON.parse(SAMPLES.okxUpdate),
    );
    for (const message of book) expect(message.data[0].checksum).not.toBe(0);
  });
});
