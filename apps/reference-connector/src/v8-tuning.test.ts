import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from './cli-errors.js';
import { INLINING_BUDGET_BYTES, v8TuningFlags } from './v8-tuning.js';

const FLAG = `--max-inlined-bytecode-size-cumulative=${INLINING_BUDGET_BYTES}`;

describe('v8TuningFlags', () => {
  it('raises the inlining budget by default and with MARKETPIPE_V8_TUNING=on', () => {
    expect(v8TuningFlags([], {})).toEqual([FLAG]);
    expect(v8TuningFlags(['--enable-source-maps'], { MARKETPIPE_V8_TUNING: 'on' })).toEqual([FLAG]);
  });

  it('sets nothing with MARKETPIPE_V8_TUNING=off', () => {
    expect(v8TuningFlags([], { MARKETPIPE_V8_TUNING: 'off' })).toEqual([]);
  });

  it("leaves a budget given on node's own command line, in either spelling", () => {
    for (const arg of [
      '--max-inlined-bytecode-size-cumulative=500',
      '--max_inlined_bytecode_size_cumulative=500',
      '--max-inlined-bytecode-size-cumulative',
    ]) {
      expect(v8TuningFlags(['--enable-source-maps', arg], {}), arg).toEqual([]);
    }
    // A different flag with a common prefix is not the budget.
    expect(v8TuningFlags(['--max-inlined-bytecode-size=200'], {})).toEqual([FLAG]);
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
