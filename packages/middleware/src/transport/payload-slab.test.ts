import { describe, expect, it } from 'vitest';
import { PayloadSlab } from './payload-slab.js';

describe('PayloadSlab', () => {
  it('keeps every copy intact while the source buffer is reused and slabs roll over', () => {
    const slab = new PayloadSlab();
    const source = new Uint8Array(100);
    const copies: Uint8Array[] = [];
    // 2000 x 100 bytes spans several 64 KiB slabs.
    for (let i = 0; i < 2000; i++) {
      source.fill(i & 0xff);
      source[0] = i >> 8;
      copies.push(slab.copy(source));
    }
    source.fill(0xee);
    copies.forEach((copy, i) => {
      expect(copy.byteLength).toBe(100);
      expect(copy[0]).toBe(i >> 8);
      expect(copy[99]).toBe(i & 0xff);
    });
    expect(new Set(copies.map((copy) => copy.buffer)).size).toBeGreaterThan(1);
    // The first slab is made by the first copy, at full size.
    expect(copies[0]!.buffer.byteLength).toBe(64 * 1024);
  });

  it('copies a large payload into an array of its own', () => {
    const slab = new PayloadSlab();
    const big = new Uint8Array(50_000).fill(7);
    const copy = slab.copy(big);
    big.fill(0);
    expect(copy.byteLength).toBe(50_000);
    expect(copy.every((byte) => byte === 7)).toBe(true);
    expect(copy.buffer.byteLength).toBe(50_000);
  });

  it('copies a large Node Buffer too, whose own slice() would be a view', () => {
    const big = Buffer.alloc(50_000, 7);
    const copy = new PayloadSlab().copy(big);
    big.fill(0);
    expect(copy.every((byte) => byte === 7)).toBe(true);
  });

  it('copies an empty payload', () => {
    expect(new PayloadSlab().copy(new Uint8Array(0)).byteLength).toBe(0);
  });
});
