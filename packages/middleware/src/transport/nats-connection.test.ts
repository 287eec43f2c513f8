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

  it('treat a lone userinfo as a token, like the NATS clients that read URLs', () => {
    expect(splitServerCredentials('nats://T0k%2Fen@a:4222')).toEqual({
      servers: ['nats://a:4222'],
      token: 'T0k/en',
      conflict: false,
    });
    expect(toNatsConnectOptions({ servers: 'nats://T0ken@a:4222' })).toMatchObject({
      servers: ['nats://a:4222'],
      token: 'T0ken',
    });
    expect(toNatsConnectOptions({ servers: 'nats://T0ken@a:4222' })).not.toHaveProperty('user');
    expect(splitServerCredentials(['nats://T0ken@a:1', 'nats://alice:pw@b:2']).conflict).toBe(true);
    expect(describeNatsConnection({ servers: 'nats://T0ken@a:4222' })).toBe('nats://a:4222 (auth: token)');
  });

  it('require TLS for a tls:// server, and say so', () => {
    expect(toNatsConnectOptions({ servers: 'tls://a:4222' }).tls).toEqual({});
    expect(toNatsConnectOptions({ servers: 'tls://a:4222', tls: { caFile: '/ca.pem' } }).tls).toEqual({
      caFile: '/ca.pem',
    });
    expect(toNatsConnectOptions({ servers: 'nats://a:4222' }).tls).toBeUndefined();
    expect(describeNatsConnection({ servers: 'tls://u:p@a:4222' })).toBe('tls://a:4222 (auth: user u, tls)');
  });
});
