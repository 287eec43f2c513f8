import { describe, expect, it } from 'vitest';
import { formatSteal, formatStealPercent, hostCpuShare, parseHostCpu, readHostCpu } from './host-cpu.js';

// A real /proc/stat of a 2-vCPU guest (trimmed after the per-CPU lines).
const STAT = `cpu  1979000 0 283280 3153997 22583 0 25096 86957 0 0
cpu0 990000 0 141000 1577000 11000 0 12500 43000 0 0
cpu1 989000 0 142280 1576997 11583 0 12596 43957 0 0
intr 123456 0 0
ctxt 987654
`;

describe('host CPU counters', () => {
  it('reads the aggregate line: steal, busy (user+nice+system+irq+softirq) and the total with idle and iowait', () => {
    expect(parseHostCpu(STAT)).toEqual({
      steal: 86957,
      busy: 1979000 + 283280 + 25096,
      total: 1979000 + 283280 + 25096 + 3153997 + 22583 + 86957,
    });
  });

  it('gives nothing for a text without the aggregate line or without a steal column', () => {
    expect(parseHostCpu('cpu0 1 2 3 4 5 6 7 8\n')).toBeUndefined();
    expect(parseHostCpu('cpu  1 2 3 4 5 6 7\n')).toBeUndefined();
    expect(parseHostCpu('cpu  1 2 3 x 5 6 7 8\n')).toBeUndefined();
    expect(parseHostCpu('')).toBeUndefined();
  });

  it('turns two samples into shares of the interval', () => {
    const before = { steal: 100, busy: 1000, total: 5000 };
    const after = { steal: 118, busy: 1062, total: 5100 };
    const share = hostCpuShare(before, after);
    expect(share?.stealPercent).toBeCloseTo(18, 10);
    expect(share?.busyPercent).toBeCloseTo(62, 10);
    expect(formatSteal(share)).toBe('steal 18.0%');
  });

  it('gives no share without both samples or when no tick passed', () => {
    const sample = { steal: 1, busy: 2, total: 10 };
    expect(hostCpuShare(undefined, sample)).toBeUndefined();
    expect(hostCpuShare(sample, undefined)).toBeUndefined();
    expect(hostCpuShare(sample, sample)).toBeUndefined();
    expect(formatSteal(undefined)).toBe('steal -');
    expect(formatStealPercent(undefined)).toBe('-');
    expect(formatStealPercent(Number.NaN)).toBe('-');
    expect(formatStealPercent(3.06)).toBe('3.1%');
  });

  it('reads this machine (Linux): counters that only grow', () => {
    const first = readHostCpu();
    let spin = 0;
    for (let i = 0; i < 5e7; i++) spin += i & 1;
    const second = readHostCpu();
    expect(spin).toBeGreaterThan(0);
    expect(first).toBeDefined();
    expect(second!.total).toBeGreaterThan(first!.total);
    expect(second!.steal).toBeGreaterThanOrEqual(first!.steal);
    const share = hostCpuShare(first, second);
    expect(share!.stealPercent).toBeGreaterThanOrEqual(0);
    expect(share!.stealPercent).toBeLessThanOrEqual(100);
  });
});
