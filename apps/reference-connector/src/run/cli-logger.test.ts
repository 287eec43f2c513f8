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
