import { describe, expect, it } from 'vitest';
import { benchEnvironment, describeEnvironment } from './index.js';

describe('benchEnvironment', () => {
  it('reports this Node version and at least one core', () => {
    const env = benchEnvironment();
    expect(env.node).toBe(process.version);
    expect(env.cores).toBeGreaterThan(0);
    expect(describeEnvironment(env)).toContain(process.version);
  });
});
