import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../src/exit-codes.js';
import { RUN_OPTIONS } from '../src/options/run-option-table.js';
import { RateMeter } from '../src/run/rate-meter.js';
import { formatStatusLine } from '../src/run/status-line.js';
import { emptyStatus } from './support/cli-harness.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const rootReadme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

/** The text of a `## ` section of the root README, up to the next one. */
function section(title: string): string {
  const start = rootReadme.indexOf(`\n## ${title}\n`);
  expect(start, title).toBeGreaterThanOrEqual(0);
  const end = rootReadme.indexOf('\n## ', start + 1);
  return rootReadme.slice(start, end < 0 ? undefined : end);
}

function codeBlocks(text: string, language: string): string[] {
  return [...text.matchAll(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, 'g'))].map(
    (m) => m[1] as string,
  );
}

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

  it('root Quick start: exactly the two commands, then the NATS walkthrough right after it', () => {
    const quickStart = section('Quick start');
    expect(codeBlocks(quickStart, 'sh')).toEqual(['bash scripts/start.sh\nbash scripts/test.sh\n']);
    const next = rootReadme.slice(rootReadme.indexOf('\n## ', rootReadme.indexOf('\n## Quick start\n') + 1));
    expect(next.startsWith('\n## Watch the trades over NATS\n')).toBe(true);
    const [commands] = codeBlocks(section('Watch the trades over NATS'), 'sh');
    expect(commands).toContain('bash scripts/nats-local.sh');
    expect(commands).toContain('--transport nats://127.0.0.1:4222');
    expect(commands).toMatch(/cli\.js subscribe --transport nats:\/\/127\.0\.0\.1:4222/);
    expect(existsSync(new URL('../../../scripts/nats-local.sh', import.meta.url))).toBe(true);
  });

  it('root Quick start shows the status line as the app draws it', () => {
    const shown = codeBlocks(section('Quick start'), 'text')
      .flatMap((block) => block.split('\n'))
      .find((line) => line.startsWith('running '));
    expect(shown).toBeDefined();
    const status = {
      ...emptyStatus(),
      latency: { count: 10, p50: 6_800, p99: 684_000, p999: 13_000_000, max: 1 },
    };
    const drawn = formatStatusLine(status, new RateMeter().sample(status, 0));
    // Same words in the same places; numbers and their units may differ.
    const shape = (line: string) =>
      line.split(' ').map((word) => (/\d|^[KMGT]?i?B$/.test(word) ? '#' : word));
    expect(shape(shown as string)).toEqual(shape(drawn));
  });
});
