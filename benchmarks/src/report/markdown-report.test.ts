import { describe, expect, it } from 'vitest';
import type { TargetCheck } from '../harness/suite-result.js';
import { renderMarkdownReport } from './markdown-report.js';

function report(targets: TargetCheck[]) {
  return {
    startedAt: '2026-12-04T00:00:00.000Z',
    environment: 'Node test',
    smoke: false,
    durationMs: 1000,
    suites: [
      {
        suite: 'live-path',
        title: 'Live path',
        smoke: false,
        durationMs: 1000,
        tables: [],
        targets,
        latencies: [],
        metrics: {},
        notes: [],
      },
    ],
  };
}

describe('renderMarkdownReport', () => {
  it('lists each missed target that carries a why, under the targets table and only those', () => {
    const markdown = renderMarkdownReport(
      report([
        {
          name: 'tail at 1000 msg/s',
          target: '<= 3x',
          measured: '9x',
          met: false,
          why: 'the client is 5x alone.',
        },
        { name: 'tail at 10000 msg/s', target: '<= 3x', measured: '2x', met: true, why: 'not shown: met.' },
        { name: 'start-up', target: '< 150 ms', measured: '200 ms', met: false },
      ]),
      'latency.svg',
    );
    const section = markdown.slice(
      markdown.indexOf('### Why missed targets'),
      markdown.indexOf('## Latency'),
    );
    expect(markdown.indexOf('## Targets (1 of 3 met)')).toBeLessThan(
      markdown.indexOf('### Why missed targets'),
    );
    expect(section).toContain('- **Live path: tail at 1000 msg/s.** the client is 5x alone.');
    expect(section).not.toContain('not shown: met.');
    expect(section).not.toContain('start-up');
  });

  it('has no why section when no missed target carries one', () => {
    const markdown = renderMarkdownReport(
      report([{ name: 'start-up', target: '< 150 ms', measured: '200 ms', met: false }]),
      'latency.svg',
    );
    expect(markdown).not.toContain('### Why missed targets');
  });
});

describe('renderMarkdownReport: the host', () => {
  it("states the run's and each suite's CPU steal where they were measured", () => {
    const base = report([]);
    const markdown = renderMarkdownReport(
      {
        ...base,
        host: { stealPercent: 12.34, busyPercent: 60 },
        suites: [{ ...base.suites[0]!, host: { stealPercent: 3.06, busyPercent: 50 } }],
      },
      'latency.svg',
    );
    expect(markdown).toContain(
      "- Host: over the run, the hypervisor gave 12.3% of this machine's CPU time to other guests",
    );
    expect(markdown).toContain(
      "_Suite `live-path`, 1.0 s; the hypervisor gave 3.1% of the CPUs' time to other guests (steal)._",
    );
  });

  it('says nothing of the host without a measurement', () => {
    const markdown = renderMarkdownReport(report([]), 'latency.svg');
    expect(markdown).not.toContain('- Host:');
    expect(markdown).toContain('_Suite `live-path`, 1.0 s._');
  });
});
