/**
 * Keeps `src/codec/generated/*.gen.ts` in step with `schema/*.capnp`: CI fails
 * here when someone edits the schema without running
 * `node scripts/generate-capnp.mjs`. Needs the `capnp` tool.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../../scripts/generate-capnp.mjs', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'marketpipe-gen-test-'));

function run(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('generate-capnp.mjs', () => {
  it('finds the committed generated code up to date with the schema', () => {
    const { status, output } = run('--check');
    expect(output).not.toMatch(/not installed/);
    expect(status, output).toBe(0);
    expect(output).toMatch(/up to date/);
  });

  it('fails the check when generated code is edited, missing or orphaned', () => {
    const out = `--out=${scratch}`;
    expect(run(out).status).toBe(0);
    expect(run('--check', out).status).toBe(0);

    appendFileSync(join(scratch, 'trade.gen.ts'), '// hand edit\n');
    writeFileSync(join(scratch, 'removed.gen.ts'), '');
    const stale = run('--check', out);
    expect(stale.status).toBe(1);
    expect(stale.output).toMatch(/trade\.gen\.ts differs from what the schema generates/);
    expect(stale.output).toMatch(/removed\.gen\.ts has no schema/);
    expect(stale.output).toMatch(/run `node packages\/connector\/scripts\/generate-capnp\.mjs`/);

    unlinkSync(join(scratch, 'trade.gen.ts'));
    const missing = run('--check', out);
    expect(missing.status).toBe(1);
    expect(missing.output).toMatch(/trade\.gen\.ts is missing/);
  });

  it('rejects unknown arguments', () => {
    const { status, output } = run('--chek');
    expect(status).toBe(1);
    expect(output).toMatch(/unknown argument --chek/);
  });
});
