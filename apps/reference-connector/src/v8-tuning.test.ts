import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from './cli-errors.js';
import { INLINING_BUDGET_BYTES, v8TuningFlags } from './v8-tuning.js';

const BUDGET = `--max-inlined-bytecode-size-cumulative=${INLINING_BUDGET_BYTES}`;

describe('v8TuningFlags', () => {
  it('raises the inlining budget, by default and with MARKETPIPE_V8_TUNING=on', () => {
    expect(v8TuningFlags([], {})).toEqual([BUDGET]);
    expect(v8TuningFlags(['--enable-source-maps'], { MARKETPIPE_V8_TUNING: 'on' })).toEqual([BUDGET]);
  });

  it("sets no tier-up count: V8's own applies to the whole process", () => {
    // With --invocation-count-for-turbofan=1000 the live path at 1 000 msg/s stalled 2-3 times as often
    // (src/v8-tuning.ts); the setting is the user's to pass to node.
    expect(v8TuningFlags([], {}).some((flag) => flag.includes('invocation-count'))).toBe(false);
  });

  it('sets nothing with MARKETPIPE_V8_TUNING=off', () => {
    expect(v8TuningFlags([], { MARKETPIPE_V8_TUNING: 'off' })).toEqual([]);
  });

  it("leaves the budget given on node's own command line, in either spelling", () => {
    for (const arg of [
      '--max-inlined-bytecode-size-cumulative=500',
      '--max_inlined_bytecode_size_cumulative=500',
      '--max-inlined-bytecode-size-cumulative',
    ]) {
      expect(v8TuningFlags(['--enable-source-maps', arg], {}), arg).toEqual([]);
    }
    // A different flag with a common prefix is not it.
    expect(v8TuningFlags(['--max-inlined-bytecode-size=200'], {})).toEqual([BUDGET]);
    expect(v8TuningFlags(['--invocation-count-for-turbofan=1000'], {})).toEqual([BUDGET]);
  });

  it('refuses any other setting, naming the variable and the allowed values', () => {
    for (const value of ['', 'yes', 'OFF', '0']) {
      expect(() => v8TuningFlags([], { MARKETPIPE_V8_TUNING: value })).toThrow(InvalidOptionError);
    }
    expect(() => v8TuningFlags([], { MARKETPIPE_V8_TUNING: 'yes' })).toThrow(
      'MARKETPIPE_V8_TUNING must be on or off, got "yes"',
    );
  });
});
