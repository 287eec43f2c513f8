import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from './cli-errors.js';
import { INLINING_BUDGET_BYTES, TIER_UP_INVOCATIONS, v8TuningFlags } from './v8-tuning.js';

const BUDGET = `--max-inlined-bytecode-size-cumulative=${INLINING_BUDGET_BYTES}`;
const TIER_UP = `--invocation-count-for-turbofan=${TIER_UP_INVOCATIONS}`;

describe('v8TuningFlags', () => {
  it('raises the inlining budget on every line, by default and with MARKETPIPE_V8_TUNING=on', () => {
    for (const version of ['20.19.0', '22.23.5']) {
      expect(v8TuningFlags([], {}, version), version).toEqual([BUDGET]);
      expect(v8TuningFlags(['--enable-source-maps'], { MARKETPIPE_V8_TUNING: 'on' }, version)).toEqual([
        BUDGET,
      ]);
    }
  });

  it('moves the hot path to TurboFan sooner from Node 24 on, where V8 runs Maglev first', () => {
    for (const version of ['24.0.0', '24.22.3', '26.12.1', '27.0.0']) {
      expect(v8TuningFlags([], {}, version), version).toEqual([BUDGET, TIER_UP]);
    }
    // Below V8's own count on those lines (10 000 and 16 000 with Maglev on), and no later than Node 22 (3 000).
    expect(TIER_UP_INVOCATIONS).toBeLessThanOrEqual(3000);
  });

  it('sets nothing with MARKETPIPE_V8_TUNING=off', () => {
    for (const version of ['20.19.0', '26.12.1']) {
      expect(v8TuningFlags([], { MARKETPIPE_V8_TUNING: 'off' }, version)).toEqual([]);
    }
  });

  it("leaves each flag given on node's own command line, in either spelling", () => {
    for (const arg of [
      '--max-inlined-bytecode-size-cumulative=500',
      '--max_inlined_bytecode_size_cumulative=500',
      '--max-inlined-bytecode-size-cumulative',
    ]) {
      expect(v8TuningFlags(['--enable-source-maps', arg], {}, '20.19.0'), arg).toEqual([]);
      expect(v8TuningFlags([arg], {}, '26.12.1'), arg).toEqual([TIER_UP]);
    }
    for (const arg of ['--invocation-count-for-turbofan=5000', '--invocation_count_for_turbofan=5000']) {
      expect(v8TuningFlags([arg], {}, '26.12.1'), arg).toEqual([BUDGET]);
    }
    // A different flag with a common prefix is neither.
    expect(v8TuningFlags(['--max-inlined-bytecode-size=200'], {}, '20.19.0')).toEqual([BUDGET]);
    expect(v8TuningFlags(['--invocation-count-for-maglev=10'], {}, '26.12.1')).toEqual([BUDGET, TIER_UP]);
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
