import { describe, expect, it } from 'vitest';
import { CollectingOutput } from '../../test/support/cli-harness.js';
import { createCliLogger, errorFields, scrubSecrets } from './cli-logger.js';

describe('createCliLogger', () => {
  it('writes JSON lines and censors secret keys even when one slips into a log object', () => {
    const out = new CollectingOutput();
    const logger = createCliLogger('info', out);
    logger.info(
      { pass: 'p1', nats: { token: 't1', user: 'u' }, deep: { conn: { nkeySeed: 'SUAAA' } } },
      'hello',
    );
    logger.debug({}, 'hidden at info');
    const [line] = out.logs;
    expect(line).toMatchObject({
      msg: 'hello',
      pass: '[redacted]',
      nats: { token: '[redacted]', user: 'u' },
    });
    expect(out.text).not.toMatch(/p1|t1|SUAAA/);
    expect(out.logs).toHaveLength(1);
  });
});

describe('createCliLogger lines', () => {
  it("writes pino's line: level, time, pid, name, the child's bindings, the fields, then msg", () => {
    const out = new CollectingOutput();
    const before = Date.now();
    createCliLogger('info', out).child({ component: 'pipeline' }).warn({ venue: 'binance', n: 2 }, 'gap');
    const [line] = out.text.split('\n');
    const entry = JSON.parse(line as string) as Record<string, unknown>;
    expect(Object.keys(entry)).toEqual(['level', 'time', 'pid', 'name', 'component', 'venue', 'n', 'msg']);
    expect(entry).toMatchObject({ level: 40, pid: process.pid, name: 'marketpipe', msg: 'gap' });
    expect(entry.time).toBeGreaterThanOrEqual(before);
    expect(entry.time).toBeLessThanOrEqual(Date.now());
  });

  it('takes a message alone, fields alone, and drops levels below its own', () => {
    const out = new CollectingOutput();
    const logger = createCliLogger('warn', out);
    logger.info({ quiet: true }, 'below warn');
    logger.debug('below warn');
    logger.error('only a message');
    logger.fatal({ only: 'fields' });
    expect(out.logs).toEqual([
      expect.objectContaining({ level: 50, msg: 'only a message' }),
      expect.objectContaining({ level: 60, only: 'fields' }),
    ]);
    expect(out.logs[1]).not.toHaveProperty('msg');

    const debug = new CollectingOutput();
    createCliLogger('debug', debug).debug({}, 'shown at debug');
    expect(debug.logs).toEqual([expect.objectContaining({ level: 20, msg: 'shown at debug' })]);
    const silent = new CollectingOutput();
    createCliLogger('silent', silent).fatal('never');
    expect(silent.text).toBe('');
  });

  it("censors secret keys two levels down, in arrays and in bindings, and leaves the caller's object alone", () => {
    const out = new CollectingOutput();
    const fields = { list: [{ password: 'a1' }], a: { b: { seed: 's1', c: { token: 'deep' } } } };
    createCliLogger('info', out).child({ natsToken: 'b1' }).info(fields, 'x');
    expect(out.logs[0]).toMatchObject({
      natsToken: '[redacted]',
      list: [{ password: '[redacted]' }],
      a: { b: { seed: '[redacted]', c: { token: 'deep' } } },
    });
    expect(out.text).not.toMatch(/a1|b1|s1/);
    expect(fields.list[0]?.password).toBe('a1');
  });

  it('writes errors, bigints and cycles without throwing, so no line is lost', () => {
    const out = new CollectingOutput();
    const logger = createCliLogger('info', out);
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    logger.error(
      { cause: Object.assign(new Error('disk full'), { code: 'ENOSPC' }), bytes: 10n },
      'write failed',
    );
    logger.warn({ cyclic }, 'still logged');
    expect(out.logs[0]).toMatchObject({
      cause: { type: 'Error', message: 'disk full', code: 'ENOSPC' },
      bytes: '10',
      msg: 'write failed',
    });
    expect(out.logs[1]).toMatchObject({ level: 40, msg: 'still logged' });
    logger.info([1, 2] as unknown as object, 'an array');
    logger.info(new Date(0), 'a date');
    logger.info(() => 1, 'a function');
    expect(out.logs.slice(2)).toEqual([
      expect.objectContaining({ value: [1, 2], msg: 'an array' }),
      expect.objectContaining({ value: '1970-01-01T00:00:00.000Z', msg: 'a date' }),
      expect.objectContaining({ level: 30, msg: 'a function' }),
    ]);
    expect(out.logs[1]?.logFieldsError).toMatch(/circular/i);
  });
});

describe('errorFields', () => {
  it('keeps code and messages, scrubbing secrets from them', () => {
    const err = new Error('login failed for hunter2', { cause: new Error('server said hunter2 is wrong') });
    expect(errorFields(Object.assign(err, { code: 'ERR_X' }), ['hunter2'])).toEqual({
      code: 'ERR_X',
      message: 'login failed for [redacted]: server said [redacted] is wrong',
    });
    expect(errorFields('plain', [])).toEqual({ code: 'MP_ERR_UNEXPECTED', message: 'plain' });
    expect(scrubSecrets('a b a', ['a', ''])).toBe('[redacted] b [redacted]');
  });
});
