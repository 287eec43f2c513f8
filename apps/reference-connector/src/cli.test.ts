import { describe, expect, it } from 'vitest';
import { main } from './index.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

describe('marketpipe CLI', () => {
  it('runs `run` and exits 0', async () => {
    const { io, out } = capture();
    expect(await main(['run'], io)).toBe(0);
    expect(out.join('\n')).toContain('marketpipe run');
  });

  it('rejects an unknown command with a non-zero exit code', async () => {
    const { io, err } = capture();
    expect(await main(['frobnicate'], io)).not.toBe(0);
    expect(err.join('\n')).toMatch(/unknown command/i);
  });
});
