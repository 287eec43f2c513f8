import { describe, expect, it } from 'vitest';
import { startupWhy } from './startup-why.js';

describe('startupWhy', () => {
  it("splits the start into Node's and marketpipe's share, pair by pair", () => {
    const why = startupWhy(
      [
        { firstMessageMs: 140, nodeAloneMs: 50 },
        { firstMessageMs: 170, nodeAloneMs: 60 },
        { firstMessageMs: 160, nodeAloneMs: 55 },
      ],
      150,
    );
    expect(why).toContain('In 3 alternating pairs, Node alone');
    expect(why).toContain('took 50-60 ms (median 55 ms)');
    expect(why).toContain("marketpipe's first message 140-170 ms (median 160 ms; under 150 ms in 1 of 3)");
    expect(why).toContain('was 90-110 ms (median 105 ms), against the 95 ms the target leaves');
  });
});
