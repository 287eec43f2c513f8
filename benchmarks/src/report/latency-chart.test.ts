import { describe, expect, it } from 'vitest';
import { renderLatencyChart } from './latency-chart.js';

describe('renderLatencyChart', () => {
  it('draws one polyline and one legend entry per series, escaping labels', () => {
    const svg = renderLatencyChart('t', [
      {
        label: 'a<b',
        points: [
          { percentile: 50, ns: 100 },
          { percentile: 99, ns: 1_000 },
          { percentile: 100, ns: 5_000 },
        ],
      },
      {
        label: 'nats',
        points: [
          { percentile: 50, ns: 20_000 },
          { percentile: 99.9, ns: 2_000_000 },
        ],
      },
    ]);
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg).toContain('a&lt;b');
    expect(svg).not.toContain('a<b');
    expect(svg).toContain('1 ms');
    expect(svg).toContain('99.99%');
  });

  it('places higher percentiles further right and higher latencies further up', () => {
    const svg = renderLatencyChart('t', [
      {
        label: 's',
        points: [
          { percentile: 50, ns: 100 },
          { percentile: 99, ns: 10_000 },
        ],
      },
    ]);
    const points = /points="([^"]+)"/
      .exec(svg)![1]!
      .split(' ')
      .map((p) => p.split(',').map(Number));
    expect(points[1]![0]!).toBeGreaterThan(points[0]![0]!);
    expect(points[1]![1]!).toBeLessThan(points[0]![1]!);
  });
});
