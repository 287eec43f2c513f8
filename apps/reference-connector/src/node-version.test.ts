import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MIN_NODE_VERSION, unsupportedNodeMessage } from './node-version.js';

describe('unsupportedNodeMessage', () => {
  it('accepts the supported lines and refuses older ones with a message naming the minimum', () => {
    for (const ok of ['20.19.0', '20.20.2', '21.0.0', '22.0.0', '24.22.3', '26.12.1', '100.0.0']) {
      expect(unsupportedNodeMessage(ok)).toBeUndefined();
    }
    for (const old of ['20.18.3', '20.0.0', '18.20.8', '16.0.0']) {
      expect(unsupportedNodeMessage(old)).toBe(
        `Node ${old} is too old: marketpipe needs Node >= 20.19.0 (supported lines: 20.19+, 22, 24 and 26)`,
      );
    }
  });

  it('agrees with engines.node of every package manifest (its lowest version is the minimum)', () => {
    for (const manifest of [
      '../../../package.json',
      '../package.json',
      '../../../packages/connector/package.json',
      '../../../packages/middleware/package.json',
    ]) {
      const { engines } = JSON.parse(readFileSync(new URL(manifest, import.meta.url), 'utf8'));
      expect(engines.node, manifest).toBe(`^${MIN_NODE_VERSION} || ^22.0.0 || ^24.0.0 || ^26.0.0`);
    }
  });
});
