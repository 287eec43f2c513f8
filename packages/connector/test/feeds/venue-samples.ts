/**
 * The verbatim payloads of /work/shared/feeds/VENUE_SAMPLES.md (sources cited
 * there), with the expected result of parsing each. Doc comments (`//`) are
 * stripped from the Binance doc examples and recorder prefixes (local receive
 * time) from recorded lines; JavaScript object literals from tardis-node test
 * files (1e, 4c) are written as the JSON they were recorded from.
 */
import type { NonTradeKind as NonTradeKindValue } from '../../src/feeds/message-kind.js';
import { NonTradeKind } from '../../src/feeds/message-kind.js';
import type { VenueName } from '../../src/feeds/venue-feed.js';

/** A trade as a test expects it, with strings for ticker and id. */
export interface ExpectedTrade {
  symbol: string;
  tradeId: string;
  tradeIdNumber: number;
  seqFirst: number;
  seqLast: number;
  timestampMs: number;
  timestampSubMsNanos: number;
  price: number;
  size: number;
  side: 'buy' | 'sell';
}

/** One sample message and what parsing it must give. */
export interface VenueSample {
  venue: VenueName;
  name: string;
  message: string;
  /** Trades (default parser options), or the non-trade kind. */
  expect: ExpectedTrade[] | NonTradeKindValue;
  /** For replayed trades: what `publishSnapshots: true` gives. */
  snapshotTrades?: ExpectedTrade[];
}

/** Epoch ms and sub-ms ns of an RFC 3339 time with microseconds, computed with `Date` (independent of the parser). */
export function rfc(time: string): { timestampMs: number; timestampSubMsNanos: number } {
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(time);
  if (match === null) return { timestampMs: Number.NaN, timestampSubMsNanos: Number.NaN };
  const fraction = (match[2] ?? '').padEnd(9, '0');
  return {
    timestampMs: Date.parse(`${match[1]}Z`) + Number(fraction.slice(0, 3)),
    timestampSubMsNanos: Number(fraction.slice(3)),
  };
}

function t(
  symbol: string,
  tradeId: string,
  time: number | string,
  price: number,
  size: number,
  side: 'buy' | 'sell',
  seq?: [number, number],
): ExpectedTrade {
  const id = /^\d+$/.test(tradeId) && Number.isSafeInteger(Number(tradeId)) ? Number(tradeId) : -1;
  const when = typeof time === 'number' ? { timestampMs: time, timestampSubMsNanos: 0 } : rfc(time);
  return {
    symbol,
    tradeId,
    tradeIdNumber: id,
    seqFirst: seq ? seq[0] : id,
    seqLast: seq ? seq[1] : id,
    ...when,
    price,
    size,
    side,
  };
}

const noSeq: [number, number] = [-1, -1];

export const VENUE_SAMPLES: VenueSample[] = [
  // 1a
  {
    venue: 'binance',
    name: '1a docs raw trade payload',
    message: `{
    "e": "trade",
    "E": 1672515782136,
    "s": "BNBBTC",
    "t": 12345,
    "p": "0.001",
    "q": "100",
    "T": 1672515782136,
    "m": true,
    "M": true
}`,
    expect: [t('BNBBTC', '12345', 1672515782136, 0.001, 100, 'sell')],
  },
  // 1b
  {
    venue: 'binance',
    name: '1b subscribe response',
    message: `{
      "result": null,
      "id": 1
  }`,
    expect: NonTradeKind.subscribeAck,
  },
  {
    venue: 'binance',
    name: '1b serverShutdown (combined)',
    message: `{
  "stream": "!serverShutdown",
  "data": {
    "e": "serverShutdown",
    "E": 1770123456789
  }
}`,
    expect: NonTradeKind.shutdown,
  },
  // 1c
  {
    venue: 'binance',
    name: '1c captured combined-stream frame',
    message: `{
  "stream":"ethusdt@trade",
  "data":{
    "e":"trade",
    "E":1639351062244,
    "s":"ETHUSDT",
    "t":705291099,
    "p":"4149.74000000",
    "q":"0.43870000",
    "b":7038593583,
    "a":7038593613,
    "T":1639351062243,
    "m":true,
    "M":true
  }
}`,
    expect: [t('ETHUSDT', '705291099', 1639351062243, 4149.74, 0.4387, 'sell')],
  },
  // 1d
  {
    venue: 'binance',
    name: '1d recorded futures frame 1',
    message:
      '{"stream":"btcusdt@trade","data":{"e":"trade","E":1660228023980,"T":1660228023973,"s":"BTCUSDT","t":2691833663,"p":"24670.90","q":"0.022","X":"MARKET","m":true}}',
    expect: [t('BTCUSDT', '2691833663', 1660228023973, 24670.9, 0.022, 'sell')],
  },
  {
    venue: 'binance',
    name: '1d recorded futures frame 2',
    message:
      '{"stream":"btcusdt@trade","data":{"e":"trade","E":1660228023991,"T":1660228023983,"s":"BTCUSDT","t":2691833664,"p":"24671.00","q":"0.001","X":"MARKET","m":false}}',
    expect: [t('BTCUSDT', '2691833664', 1660228023983, 24671, 0.001, 'buy')],
  },
  // 1e
  {
    venue: 'binance',
    name: '1e tardis fixture 1',
    message:
      '{"stream":"bnbbtc@trade","data":{"e":"trade","E":1554076800945,"s":"BNBBTC","t":40756030,"p":"0.00426990","q":"33.82000000","b":133829535,"a":133829504,"T":1554076800940,"m":false,"M":true}}',
    expect: [t('BNBBTC', '40756030', 1554076800940, 0.0042699, 33.82, 'buy')],
  },
  {
    venue: 'binance',
    name: '1e tardis fixture 2',
    message:
      '{"stream":"bnbbtc@trade","data":{"e":"trade","E":1567296001038,"s":"BNBBTC","t":60276726,"p":"0.00219650","q":"6.48000000","b":255533165,"a":255532831,"T":1567296001034,"m":true,"M":true}}',
    expect: [t('BNBBTC', '60276726', 1567296001034, 0.0021965, 6.48, 'sell')],
  },
  // 2a
  {
    venue: 'coinbase',
    name: '2a subscriptions 1',
    message:
      '{"type":"subscriptions","channels":[{"name":"level2","product_ids":["BAND-GBP","BAND-BTC","YFI-BTC","NU-GBP","CRV-EUR","SKL-GBP","SKL-USD","SKL-BTC","NMR-EUR","DASH-BTC"]}]}',
    expect: NonTradeKind.subscribeAck,
  },
  {
    venue: 'coinbase',
    name: '2a subscriptions 2',
    message:
      '{"type":"subscriptions","channels":[{"name":"level2","product_ids":["DASH-BTC","CRV-EUR","SKL-GBP","SKL-USD","SKL-BTC","NMR-EUR","BAND-GBP","BAND-BTC","YFI-BTC","NU-GBP"]},{"name":"ticker","product_ids":["YFI-BTC","NU-GBP","CRV-EUR","SKL-USD","BAND-GBP","NMR-EUR","BAND-BTC","DASH-BTC","SKL-GBP","SKL-BTC"]}]}',
    expect: NonTradeKind.subscribeAck,
  },
  {
    venue: 'coinbase',
    name: '2a last_match 1',
    message:
      '{"type":"last_match","trade_id":881613,"maker_order_id":"27fff20b-af29-4f45-8744-56dd1ef57dc0","taker_order_id":"1da6ce16-c8da-4732-9f71-6049f4c6aaf8","side":"sell","size":"0.04","price":"14.7775","product_id":"BAND-GBP","sequence":333938798,"time":"2021-04-17T16:43:30.244075Z"}',
    expect: NonTradeKind.snapshot,
    snapshotTrades: [t('BAND-GBP', '881613', '2021-04-17T16:43:30.244075Z', 14.7775, 0.04, 'buy')],
  },
  {
    venue: 'coinbase',
    name: '2a last_match 2',
    message:
      '{"type":"last_match","trade_id":82007,"maker_order_id":"9d2861bd-1703-47f2-a7f4-7723565a7f5c","taker_order_id":"dd068ce5-f175-4396-bae1-a1db56d209f5","side":"buy","size":"1008.2","price":"0.5752","product_id":"SKL-GBP","sequence":27883326,"time":"2021-04-17T16:43:29.571587Z"}',
    expect: NonTradeKind.snapshot,
    snapshotTrades: [t('SKL-GBP', '82007', '2021-04-17T16:43:29.571587Z', 0.5752, 1008.2, 'sell')],
  },
  {
    venue: 'coinbase',
    name: '2a last_match 3',
    message:
      '{"type":"last_match","trade_id":563678,"maker_order_id":"a714a99e-e437-46dc-890e-a8bc12d3f306","taker_order_id":"3560b5fa-dbc1-48eb-b3a2-e29cdbd110e5","side":"sell","size":"70","price":"0.4394","product_id":"NU-GBP","sequence":108779525,"time":"2021-04-17T16:43:18.435588Z"}',
    expect: NonTradeKind.snapshot,
    snapshotTrades: [t('NU-GBP', '563678', '2021-04-17T16:43:18.435588Z', 0.4394, 70, 'buy')],
  },
  {
    venue: 'coinbase',
    name: '2a match 1',
    message:
      '{"type":"match","trade_id":280232,"maker_order_id":"2a0da34e-61f7-4c36-88e5-c9dd15927b16","taker_order_id":"3c82abaa-c01e-4608-be59-6a1e69742891","side":"sell","size":"985","price":"0.00001305","product_id":"SKL-BTC","sequence":177100030,"time":"2021-04-17T16:43:37.089723Z"}',
    expect: [t('SKL-BTC', '280232', '2021-04-17T16:43:37.089723Z', 0.00001305, 985, 'buy')],
  },
  {
    venue: 'coinbase',
    name: '2a match 2',
    message:
      '{"type":"match","trade_id":1568268,"maker_order_id":"cac01d6d-8009-4c33-8e0d-f7f853d7c1bc","taker_order_id":"3dec64e4-f6ad-4ca8-ad3f-e5b1a0eb0d06","side":"sell","size":"450","price":"0.791","product_id":"SKL-USD","sequence":201390075,"time":"2021-04-17T16:43:37.121358Z"}',
    expect: [t('SKL-USD', '1568268', '2021-04-17T16:43:37.121358Z', 0.791, 450, 'buy')],
  },
  {
    venue: 'coinbase',
    name: '2a match 3',
    message:
      '{"type":"match","trade_id":1568269,"maker_order_id":"c693fab4-fc61-4b10-97e8-28b7cf4478d4","taker_order_id":"97d525bb-9bf4-43e4-8942-c47f50cd52a1","side":"sell","size":"1787","price":"0.7912","product_id":"SKL-USD","sequence":201390097,"time":"2021-04-17T16:43:37.140491Z"}',
    expect: [t('SKL-USD', '1568269', '2021-04-17T16:43:37.140491Z', 0.7912, 1787, 'buy')],
  },
  // 2b
  {
    venue: 'coinbase',
    name: '2b docs match (with its odd line break)',
    message: `{
    "type": "match",
    "trade_id": 10,
    "sequence": 50,
    "maker_order_id": "ac928c66-ca53-498f-9c13-a110027a60e8",
    "taker_order_id": "132fb6ae-456b-4654-b4e0-d681ac05cea1",
    "time": "2014-11-07T08:19:27.028459Z",
    "product_id": "BTC-USD",
    "size": "5.23512",
    "price":
    "400.23",
    "side": "sell"
}`,
    expect: [t('BTC-USD', '10', '2014-11-07T08:19:27.028459Z', 400.23, 5.23512, 'buy')],
  },
  // 2c
  {
    venue: 'coinbase',
    name: '2c heartbeat',
    message: `{
"type": "heartbeat",
"sequence": 90,
"last_trade_id": 20,
"product_id": "BTC-USD",
"time": "2014-11-07T08:19:28.464459Z"
}`,
    expect: NonTradeKind.heartbeat,
  },
  // 3a
  {
    venue: 'kraken',
    name: '3a subscribe ack',
    message: `{
    "method": "subscribe",
    "result": {
        "channel": "trade",
        "snapshot": true,
        "symbol": "MATIC/USD"
    },
    "success": true,
    "time_in": "2023-09-25T09:21:10.428340Z",
    "time_out": "2023-09-25T09:21:10.428375Z"
}`,
    expect: NonTradeKind.subscribeAck,
  },
  {
    venue: 'kraken',
    name: '3a snapshot',
    message: `{
    "channel": "trade",
    "type": "snapshot",
    "data": [
        {
            "symbol": "MATIC/USD",
            "side": "buy",
            "price": 0.5147,
            "qty": 6423.46326,
            "ord_type": "limit",
            "trade_id": 4665846,
            "timestamp": "2023-09-25T07:48:36.925533Z"
        },
        {
            "symbol": "MATIC/USD",
            "side": "buy",
            "price": 0.5147,
            "qty": 1136.19677815,
            "ord_type": "limit",
            "trade_id": 4665847,
            "timestamp": "2023-09-25T07:49:36.925603Z"
        }
    ]
}`,
    expect: NonTradeKind.snapshot,
    snapshotTrades: [
      t('MATIC/USD', '4665846', '2023-09-25T07:48:36.925533Z', 0.5147, 6423.46326, 'buy'),
      t('MATIC/USD', '4665847', '2023-09-25T07:49:36.925603Z', 0.5147, 1136.19677815, 'buy'),
    ],
  },
  {
    venue: 'kraken',
    name: '3a update',
    message: `{
    "channel": "trade",
    "type": "update",
    "data": [
        {
            "symbol": "MATIC/USD",
            "side": "sell",
            "price": 0.5117,
            "qty": 40.0,
            "ord_type": "market",
            "trade_id": 4665906,
            "timestamp": "2023-09-25T07:49:37.708706Z"
        }
    ]
}`,
    expect: [t('MATIC/USD', '4665906', '2023-09-25T07:49:37.708706Z', 0.5117, 40, 'sell')],
  },
  // 3b
  {
    venue: 'kraken',
    name: '3b two trades in one update',
    message: `{
  "channel": "trade",
  "type": "update",
  "data": [
    {
      "symbol": "BTC/USD",
      "side": "buy",
      "price": 105944.20,
      "qty": 0.00027625,
      "ord_type": "limit",
      "trade_id": 10218208,
      "timestamp": "2023-10-06T17:35:55.440295Z"
    },
    {
      "symbol": "BTC/USD",
      "side": "sell",
      "price": 105910.50,
      "qty": 0.00012460,
      "ord_type": "market",
      "trade_id": 10218209,
      "timestamp": "2023-10-06T17:35:56.123456Z"
    }
  ]
}`,
    expect: [
      t('BTC/USD', '10218208', '2023-10-06T17:35:55.440295Z', 105944.2, 0.00027625, 'buy'),
      t('BTC/USD', '10218209', '2023-10-06T17:35:56.123456Z', 105910.5, 0.0001246, 'sell'),
    ],
  },
  // 3c
  {
    venue: 'kraken',
    name: '3c status (connection_id beyond 2^53)',
    message: `{
"channel": "status",
"data": [
{
"api_version": "v2",
"connection_id": 13834774380200032777,
"system": "online",
"version": "2.0.0"
}
],
"type": "update"
}`,
    expect: NonTradeKind.status,
  },
  {
    venue: 'kraken',
    name: '3c heartbeat',
    message: `{
"channel": "heartbeat"
}`,
    expect: NonTradeKind.heartbeat,
  },
  // 3d: Kraken v1 frames are not v2 messages.
  {
    venue: 'kraken',
    name: '3d v1 systemStatus',
    message:
      '{"connectionID":18239578009413566319,"event":"systemStatus","status":"online","version":"1.8.3"}',
    expect: NonTradeKind.unknown,
  },
  {
    venue: 'kraken',
    name: '3d v1 trade array',
    message: '[993,[["354.11000000","0.89594024","1618678142.557535","s","l",""]],"trade","XMR/USD"]',
    expect: NonTradeKind.unknown,
  },
  {
    venue: 'kraken',
    name: '3d v1 heartbeat',
    message: '{"event":"heartbeat"}',
    expect: NonTradeKind.unknown,
  },
  // 4a
  {
    venue: 'bybit',
    name: '4a docs publicTrade',
    message: `{
    "topic": "publicTrade.BTCUSDT",
    "type": "snapshot",
    "ts": 1672304486868,
    "data": [
        {
            "T": 1672304486865,
            "s": "BTCUSDT",
            "S": "Buy",
            "v": "0.001",
            "p": "16578.50",
            "L": "PlusTick",
            "i": "20f43950-d8dd-5b31-9112-a178eb6023af",
            "BT": false,
            "seq": 1783284617
        }
    ]
}`,
    expect: [
      t('BTCUSDT', '20f43950-d8dd-5b31-9112-a178eb6023af', 1672304486865, 16578.5, 0.001, 'buy', noSeq),
    ],
  },
  // 4b
  {
    venue: 'bybit',
    name: '4b recorded frame',
    message:
      '{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1758841135824,"data":[{"T":1758841135823,"s":"BTCUSDT","S":"Buy","v":"0.020","p":"109378.90","L":"ZeroPlusTick","i":"2a74ac78-691c-5b54-9dbe-5aafe8364627","BT":false,"RPI":false,"seq":457514743450}]}',
    expect: [
      t('BTCUSDT', '2a74ac78-691c-5b54-9dbe-5aafe8364627', 1758841135823, 109378.9, 0.02, 'buy', noSeq),
    ],
  },
  // 4c
  {
    venue: 'bybit',
    name: '4c inverse, three trades',
    message:
      '{"topic":"publicTrade.BTCUSD","type":"snapshot","ts":1680673823566,"data":[{"T":1680673823564,"s":"BTCUSD","S":"Buy","v":"5823","p":"28560.50","L":"PlusTick","i":"0cbf2330-952d-5d03-a462-4bf826c867af","BT":false},{"T":1680673823564,"s":"BTCUSD","S":"Buy","v":"3","p":"28560.50","L":"ZeroPlusTick","i":"912e56de-9ed6-5f4f-9421-f0ff5a42d84a","BT":false},{"T":1680673823564,"s":"BTCUSD","S":"Buy","v":"5593","p":"28560.50","L":"ZeroPlusTick","i":"cb558b74-cf72-5157-b53b-93944db336ad","BT":false}]}',
    expect: [
      t('BTCUSD', '0cbf2330-952d-5d03-a462-4bf826c867af', 1680673823564, 28560.5, 5823, 'buy', noSeq),
      t('BTCUSD', '912e56de-9ed6-5f4f-9421-f0ff5a42d84a', 1680673823564, 28560.5, 3, 'buy', noSeq),
      t('BTCUSD', 'cb558b74-cf72-5157-b53b-93944db336ad', 1680673823564, 28560.5, 5593, 'buy', noSeq),
    ],
  },
  {
    venue: 'bybit',
    name: '4c LTCUSDT',
    message:
      '{"topic":"publicTrade.LTCUSDT","type":"snapshot","ts":1680688979985,"data":[{"T":1680688979983,"s":"LTCUSDT","S":"Buy","v":"0.4","p":"94.53","L":"ZeroMinusTick","i":"4c7b6bdc-b4a3-5716-9c7b-bbe01dc7072f","BT":false}]}',
    expect: [t('LTCUSDT', '4c7b6bdc-b4a3-5716-9c7b-bbe01dc7072f', 1680688979983, 94.53, 0.4, 'buy', noSeq)],
  },
  {
    venue: 'bybit',
    name: '4c spot 19-digit numeric-string id',
    message:
      '{"topic":"publicTrade.BTCUSDC","ts":1680688980000,"type":"snapshot","data":[{"i":"2240000000041223438","T":1680688979998,"p":"28528.98","v":"0.00433","S":"Buy","s":"BTCUSDC","BT":false}]}',
    expect: [t('BTCUSDC', '2240000000041223438', 1680688979998, 28528.98, 0.00433, 'buy', noSeq)],
  },
  {
    venue: 'bybit',
    name: '4c option with id',
    message:
      '{"id":"publicTrade.BTC-3414637898-1680652922102","topic":"publicTrade.BTC","ts":1680652922102,"data":[{"p":"985","v":"0.01","i":"0404c393-8419-5bac-95c3-5fea28404754","T":1680652922081,"BT":false,"s":"BTC-28APR23-29500-C","S":"Sell"}],"type":"snapshot"}',
    expect: [
      t(
        'BTC-28APR23-29500-C',
        '0404c393-8419-5bac-95c3-5fea28404754',
        1680652922081,
        985,
        0.01,
        'sell',
        noSeq,
      ),
    ],
  },
  // 4d
  {
    venue: 'bybit',
    name: '4d spot pong',
    message: `{
    "success": true,
    "ret_msg": "pong",
    "conn_id": "0970e817-426e-429a-a679-ff7f55e0b16a",
    "op": "ping"
}`,
    expect: NonTradeKind.pong,
  },
  {
    venue: 'bybit',
    name: '4d linear pong',
    message: `{
    "success": true,
    "ret_msg": "pong",
    "conn_id": "465772b1-7630-4fdc-a492-e003e6f0f260",
    "req_id": "",
    "op": "ping"
}`,
    expect: NonTradeKind.pong,
  },
  {
    venue: 'bybit',
    name: '4d option pong',
    message: `{
    "args": [
        "1672916271846"
    ],
    "op": "pong"
}`,
    expect: NonTradeKind.pong,
  },
  {
    venue: 'bybit',
    name: '4d private pong',
    message: `{
    "req_id": "test",
    "op": "pong",
    "args": [
        "1675418560633"
    ],
    "conn_id": "cfcb4ocsvfriu23r3er0-1b"
}`,
    expect: NonTradeKind.pong,
  },
  {
    venue: 'bybit',
    name: '4d private subscribe ack',
    message: `{
    "success": true,
    "ret_msg": "",
    "op": "subscribe",
    "conn_id": "cejreassvfrsfvb9v1a0-2m"
}`,
    expect: NonTradeKind.subscribeAck,
  },
  {
    venue: 'bybit',
    name: '4d spot subscribe ack',
    message: `{
    "success": true,
    "ret_msg": "subscribe",
    "conn_id": "2324d924-aa4d-45b0-a858-7b8be29ab52b",
    "req_id": "10001",
    "op": "subscribe"
}`,
    expect: NonTradeKind.subscribeAck,
  },
  {
    venue: 'bybit',
    name: '4d linear subscribe ack',
    message: `{
    "success": true,
    "ret_msg": "",
    "conn_id": "3cd84cb1-4d06-4a05-930a-2efe5fc70f0f",
    "req_id": "",
    "op": "subscribe"
}`,
    expect: NonTradeKind.subscribeAck,
  },
  {
    venue: 'bybit',
    name: '4d option COMMAND_RESP',
    message: `{
    "success": true,
    "conn_id": "aa01fbfffe80af37-00000001-000b37b9-7147f432704fd28c-00e1c172",
    "data": {
    "failTopics": [],
    "successTopics": [
        "orderbook.100.BTC-6JAN23-18000-C"
    ]
},
    "type": "COMMAND_RESP"
}`,
    expect: NonTradeKind.subscribeAck,
  },
  // 5a
  {
    venue: 'okx',
    name: '5a subscribe ack',
    message: `{
  "id": "1512",
  "event": "subscribe",
  "arg": {
      "channel": "trades",
      "instId": "BTC-USDT"
  },
  "connId": "a4d3ae55"
}`,
    expect: NonTradeKind.subscribeAck,
  },
  {
    venue: 'okx',
    name: '5a failure',
    message: `{
  "id": "1512",
  "event": "error",
  "code": "60012",
  "msg": "Invalid request: {\\"op\\": \\"subscribe\\", \\"argss\\":[{ \\"channel\\" : \\"trades\\", \\"instId\\" : \\"BTC-USD-191227\\"}]}",
  "connId": "a4d3ae55"
}`,
    expect: NonTradeKind.venueError,
  },
  {
    venue: 'okx',
    name: '5a push data with count',
    message: `{
  "arg": {
    "channel": "trades",
    "instId": "BTC-USDT"
  },
  "data": [
    {
      "instId": "BTC-USDT",
      "tradeId": "130639474",
      "px": "42219.9",
      "sz": "0.12060306",
      "side": "buy",
      "ts": "1630048897897",
      "count": "3",
      "source": "0",
      "seqId": 1234
    }
  ]
}`,
    expect: [t('BTC-USDT', '130639474', 1630048897897, 42219.9, 0.12060306, 'buy', [130639472, 130639474])],
  },
  // 5b
  {
    venue: 'okx',
    name: '5b ack 1',
    message: '{"event":"subscribe","arg":{"channel":"trades","instId":"BTC-USDT"}}',
    expect: NonTradeKind.subscribeAck,
  },
  {
    venue: 'okx',
    name: '5b ack 2 (duplicate)',
    message: '{"event":"subscribe","arg":{"channel":"trades","instId":"BTC-USDT"}}',
    expect: NonTradeKind.subscribeAck,
  },
  {
    venue: 'okx',
    name: '5b trade BTC-USD-220527',
    message:
      '{"arg":{"channel":"trades","instId":"BTC-USD-220527"},"data":[{"instId":"BTC-USD-220527","tradeId":"7849","px":"30218.8","sz":"1","side":"buy","ts":"1652459199958"}]}',
    expect: [t('BTC-USD-220527', '7849', 1652459199958, 30218.8, 1, 'buy')],
  },
  {
    venue: 'okx',
    name: '5b trade UNI-USD-SWAP',
    message:
      '{"arg":{"channel":"trades","instId":"UNI-USD-SWAP"},"data":[{"instId":"UNI-USD-SWAP","tradeId":"12883020","px":"5.123","sz":"100","side":"sell","ts":"1652459215150"}]}',
    expect: [t('UNI-USD-SWAP', '12883020', 1652459215150, 5.123, 100, 'sell')],
  },
  {
    venue: 'okx',
    name: '5b trade BTC-USDT',
    message:
      '{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"338476307","px":"30236","sz":"0.0002","side":"buy","ts":"1652459224818"}]}',
    expect: [t('BTC-USDT', '338476307', 1652459224818, 30236, 0.0002, 'buy')],
  },
  // 5c
  {
    venue: 'okx',
    name: '5c fixture with count',
    message: `{
  "arg": {
    "channel": "trades",
    "instId": "BTC-USD"
  },
  "data": [
    {
      "instId": "BTC-USD",
      "tradeId": "130639474",
      "px": "42219.9",
      "sz": "0.12060306",
      "side": "buy",
      "ts": "1630048897897",
      "count": "3"
    }
  ]
}`,
    expect: [t('BTC-USD', '130639474', 1630048897897, 42219.9, 0.12060306, 'buy', [130639472, 130639474])],
  },
  // Section 7: OKX plain-text keep-alive answer.
  { venue: 'okx', name: '7 plain-text pong', message: 'pong', expect: NonTradeKind.pong },
];
