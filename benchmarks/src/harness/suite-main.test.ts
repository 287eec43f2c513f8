import { describe, expect, it } from 'vitest';
import { BenchArgumentError } from './bench-errors.js';
import { parseSuiteArgs } from './suite-main.js';

describe('parseSuiteArgs', () => {
  it('reads --smoke and --out', () => {
    expect(parseSuiteArgs(['--smoke', '--out', '/tmp/x.json'])).toEqual({ smoke: true, out: '/tmp/x.json' });
    expect(parseSuiteArgs(['--out', 'r.json'])).toEqual({ smoke: false, out: 'r.json' });
  });

  it('rejects unknown arguments and a missing --out with a coded error', () => {
    expect(() => parseSuiteArgs(['--fast', '--out', 'x'])).toThrow(BenchArgumentError);
    try {
      parseSuiteArgs([]);
      expect.unreachable();
    } catch (err) {
      expect(err instanceof BenchArgumentError).toBe(true);
    }
  });
});
