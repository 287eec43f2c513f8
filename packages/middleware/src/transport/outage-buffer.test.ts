import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { OutageBuffer } from './outage-buffer.js';

function drain(buffer: OutageBuffer<string>): number[] {
  const out: number[] = [];
  while (buffer.length > 0) {
    out.push(buffer.firstOrdinal());
    buffer.dropFirst();
  }
  return out;
}

describe('OutageBuffer', () => {
  it('copies payloads so the publisher can reuse its buffer', () => {
    const buffer = new OutageBuffer<string>();
    const payload = new Uint8Array([1, 2, 3]);
    buffer.offer('t', payload, 1);
    payload.fill(9);
    expect([...buffer.firstPayload()]).toEqual([1, 2, 3]);
    expect(buffer.firstTarget()).toBe('t');
  });

  it('copies a Node Buffer too, whose own slice() would only be a view of the reused read buffer', () => {
    const buffer = new OutageBuffer<string>();
    const read = Buffer.from('line one\nline two');
    buffer.offer('a', read.subarray(0, 8), 0);
    read.fill(0x78);
    expect(Buffer.from(buffer.firstPayload()).toString()).toBe('line one');
  });

  it('drop-oldest keeps the newest messages within the message limit and counts evictions', () => {
    const buffer = new OutageBuffer<string>({ maxMessages: 3, overflowPolicy: 'drop-oldest' });
    for (let i = 1; i <= 10; i++) expect(buffer.offer('t', new Uint8Array(1), i)).toBe(true);
    expect(buffer.dropped).toBe(7);
    expect(buffer.accepted).toBe(10);
    expect(drain(buffer)).toEqual([8, 9, 10]);
  });

  it('drop-newest keeps the oldest messages within the byte limit and refuses the rest', () => {
    const buffer = new OutageBuffer<string>({ maxBytes: 10, overflowPolicy: 'drop-newest' });
    for (let i = 1; i <= 6; i++) buffer.offer('t', new Uint8Array(4), i);
    expect(buffer.bytes).toBe(8);
    expect(buffer.dropped).toBe(4);
    expect(buffer.accepted).toBe(2);
    expect(drain(buffer)).toEqual([1, 2]);
  });

  it('drops a message larger than the whole byte limit without evicting others', () => {
    const buffer = new OutageBuffer<string>({ maxBytes: 10 });
    buffer.offer('t', new Uint8Array(5), 1);
    expect(buffer.offer('t', new Uint8Array(11), 2)).toBe(false);
    expect(buffer.dropped).toBe(1);
    expect(drain(buffer)).toEqual([1]);
  });

  it('clear() reports how many messages were discarded', () => {
    const buffer = new OutageBuffer<string>();
    for (let i = 0; i < 5; i++) buffer.offer('t', new Uint8Array(2), i);
    expect(buffer.clear()).toBe(5);
    expect(buffer.length).toBe(0);
    expect(buffer.bytes).toBe(0);
  });

  it('rejects negative limits', () => {
    expect(() => new OutageBuffer({ maxMessages: -1 })).toThrow(InvalidArgumentError);
  });
});
