import { describe, expect, it } from 'vitest';
import { peerWhy } from './peers-why.js';

describe('peerWhy', () => {
  it('says the target is below the floor when the time it leaves marketpipe is under the floor', () => {
    const why = peerWhy({
      peer: '(a) the naive pipeline',
      peerNs: 15_000,
      parts: [
        { label: 'its capnp-es builder', nsPerMessage: 9_000 },
        { label: 'its fs.appendFileSync', nsPerMessage: 3_000 },
      ],
      targetRatio: 30,
      marketpipeNs: 900,
      floorNs: 600,
    });
    expect(why).toContain('(a) the naive pipeline took 15.00 µs per message');
    expect(why).toContain(
      'its capnp-es builder took 9.00 µs (60%), its fs.appendFileSync took 3.00 µs (20%)',
    );
    expect(why).toContain('30x asks marketpipe for at most 500.0 ns per message, 0.83x the floor');
    expect(why).toContain('no implementation of this design meets 30x');
    expect(why).toContain('marketpipe took 900.0 ns (1.50x the floor)');
  });

  it("puts a reachable target down to marketpipe's distance from its floor", () => {
    const why = peerWhy({
      peer: "(b) the design's libraries as-is",
      peerNs: 16_000,
      parts: [],
      targetRatio: 20,
      marketpipeNs: 900,
      floorNs: 600,
    });
    expect(why).toContain("(b) the design's libraries as-is took 16.00 µs per message. 20x asks");
    expect(why).toContain('at most 800.0 ns per message, 1.33x the floor');
    expect(why).toContain('within reach of the design');
    expect(why).toContain('marketpipe took 900.0 ns, 1.50x the floor');
    expect(why).not.toContain('no implementation of this design meets');
  });
});
