import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createCliLogger } from './cli-logger.js';
import { chooseLogFormat, formatLogLine } from './pretty-log.js';
import { TerminalStatus } from './terminal-status.js';

/** 2024-01-02 03:04:05.006 in the local time zone, as the formatter shows it. */
const TIME = new Date(2024, 0, 2, 3, 4, 5, 6).getTime();

describe('formatLogLine', () => {
  it('shows time, level, message, then the fields, without pino bookkeeping', () => {
    const line = JSON.stringify({
      level: 40,
      time: TIME,
      pid: 7,
      name: 'marketpipe',
      msg: 'source disconnected',
      component: 'pipeline',
      code: 1006,
      reason: '',
      symbols: ['BTCUSDT', 'ETHUSDT'],
      none: [],
      source: 'sim 1000 msg/s',
      latency: { p50: 1 },
    });
    expect(formatLogLine(line, false)).toBe(
      '03:04:05.006 WARN  source disconnected component=pipeline code=1006 reason="" symbols=BTCUSDT,ETHUSDT' +
        ' none=[] source="sim 1000 msg/s" latency={"p50":1}\n',
    );
  });

  it('colours level and time only when asked, and passes a line that is not a JSON object through', () => {
    const line = JSON.stringify({ level: 50, time: TIME, msg: 'run failed' });
    expect(formatLogLine(line, true)).toBe(
      '\u001b[2m03:04:05.006\u001b[0m \u001b[31mERROR\u001b[0m run failed\n',
    );
    expect(formatLogLine('not json', false)).toBe('not json\n');
    expect(formatLogLine('[1,2]\n', false)).toBe('[1,2]\n');
  });
});

describe('chooseLogFormat', () => {
  it('is pretty on a terminal and JSON elsewhere, unless told', () => {
    expect(chooseLogFormat(undefined, { isTTY: true })).toBe('pretty');
    expect(chooseLogFormat(undefined, {})).toBe('json');
    expect(chooseLogFormat('json', { isTTY: true })).toBe('json');
    expect(chooseLogFormat('pretty', {})).toBe('pretty');
  });
});

/** A terminal stream that records what it is given, in order, on a screen shared with the other stream. */
function screenStream(name: string, screen: string[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      screen.push(`${name}:${chunk.toString('utf8')}`);
      done();
    },
  });
}

describe('createCliLogger on a terminal', () => {
  it('writes readable, redacted lines and lifts the status line around each of them', () => {
    const screen: string[] = [];
    const terminal = new TerminalStatus(screenStream('out', screen));
    const logger = createCliLogger('info', screenStream('err', screen), {
      format: 'pretty',
      terminalStatus: terminal,
    });
    terminal.show('status 1');
    logger.info({ pass: 'hunter2' }, 'hello');
    terminal.clear();
    logger.info({}, 'after');
    expect(screen.map((s) => s.replace(/\d\d:\d\d:\d\d\.\d{3}/, 'T'))).toEqual([
      'out:\r\u001b[2Kstatus 1',
      'out:\r\u001b[2K',
      'err:T INFO  hello pass=[redacted]\n',
      'out:status 1',
      'out:\r\u001b[2K',
      'err:T INFO  after\n',
    ]);
  });
});
