import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runJsonChild } from './json-child.js';

const dir = mkdtempSync(join(tmpdir(), 'mp-json-child-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, body: string): string {
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, body);
  return file;
}

describe('runJsonChild', () => {
  it('returns the JSON of the last line the process printed, with its arguments passed', () => {
    const file = script(
      'ok',
      "console.log('warming up');\nconsole.log(JSON.stringify({ node: process.versions.node, args: process.argv.slice(2) }));\n",
    );
    expect(runJsonChild<{ node: string; args: string[] }>(file, ['--case', 'x'], 'ok')).toEqual({
      node: process.versions.node,
      args: ['--case', 'x'],
    });
  });

  it('fails with the label when the process exits non-zero', () => {
    const file = script('fails', "process.stderr.write('');\nprocess.exit(3);\n");
    expect(() => runJsonChild(file, [], 'floor run')).toThrow(/floor run failed: exit 3/);
  });

  it('fails, quoting the line, when the last line is not JSON', () => {
    const file = script('text', "console.log('not json');\n");
    expect(() => runJsonChild(file, [], 'floor run')).toThrow(/floor run printed no result: "not json"/);
  });

  it('fails when the process ran on another Node version', () => {
    const file = script('other', "console.log(JSON.stringify({ node: '0.0.1' }));\n");
    expect(() => runJsonChild(file, [], 'floor run')).toThrow(/ran on Node 0\.0\.1, not /);
  });
});
