import { describe, expect, it } from 'vitest';
import {
  describeNatsConnection,
  splitServerCredentials,
  toNatsConnectOptions,
  withoutCredentials,
} from './nats-connection.js';

describe('credentials in server URLs', () => {
  it('are split out, decoded, and flagged when URLs disagree', () => {
    expect(splitServerCredentials(['nats://alice:s%40cret@a:4222', 'nats://b:4222'])).toEqual({
      servers: ['nats://a:4222', 'nats://b:4222'],
      user: 'alice',
      pass: 's@cret',
      conflict: false,
    });
    expect(splitServerCredentials('nats://a:4222')).toEqual({ servers: ['nats://a:4222'], conflict: false });
    expect(splitServerCredentials(['nats://a:x@h:1', 'nats://b:y@h:2']).conflict).toBe(true);
    expect(withoutCredentials('nats://a:x@h:1,tls://b:y@h:2')).toBe('nats://h:1,tls://h:2');
  });

  it('become the connection user and password (nats.js ignores them in URLs) unless a user is given', () => {
    const lifted = toNatsConnectOptions({ servers: 'nats://alice:pw@a:4222' });
    expect(lifted).toMatchObject({ servers: ['nats://a:4222'], user: 'alice', pass: 'pw' });
    const explicit = toNatsConnectOptions({ servers: 'nats://alice:pw@a:4222', user: 'bob', pass: 'other' });
    expect(explicit).toMatchObject({ servers: ['nats://a:4222'], user: 'bob', pass: 'other' });
  });

  it('never show in the description', () => {
    expect(describeNatsConnection({ servers: ['nats://alice:pw@a:4222'] })).toBe(
      'nats://a:4222 (auth: user alice)',
    );
  });
});
