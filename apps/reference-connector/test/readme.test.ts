import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../src/exit-codes.js';
import { RUN_OPTIONS } from '../src/options/run-option-table.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it.each(RUN_OPTIONS.map((spec) => [spec.flag, spec]))(
    'documents %s with its variable and config key',
    (_flag, spec) => {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${spec.flag}`));
      expect(row).toBeDefined();
      expect(row).toContain(`\`${spec.envVar}\``);
      expect(row).toContain(`\`${spec.key}\``);
    },
  );

  it('documents every exit code', () => {
    for (const code of Object.values(ExitCode)) expect(readme).toMatch(new RegExp(`^\\| +${code} \\|`, 'm'));
  });
});
