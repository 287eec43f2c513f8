#!/usr/bin/env node
/**
 * Regenerates the capnp-es TypeScript for every schema in `schema/` into
 * `src/codec/generated/<name>.gen.ts` (biome skips `*.gen.ts`, so the output is
 * committed exactly as capnp-es prints it).
 *
 * Usage (from anywhere):
 *   node packages/connector/scripts/generate-capnp.mjs          write the files
 *   node packages/connector/scripts/generate-capnp.mjs --check  exit 1 if they are stale
 *   --out=<dir>  compare/write another directory instead (used by the script's own test)
 *
 * `--check` regenerates into a temporary directory and compares it byte for
 * byte with the committed files, so CI catches a schema edited without
 * regenerating. Needs the `capnp` tool (Debian/Ubuntu: `apt-get install capnproto`).
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileAll } from 'capnp-es/compiler';

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const schemaDir = join(packageRoot, 'schema');
const defaultOutDir = join(packageRoot, 'src', 'codec', 'generated');
const regenerateHint = 'run `node packages/connector/scripts/generate-capnp.mjs` and commit the result';

function parseArgs(argv) {
  let check = false;
  let outDir = defaultOutDir;
  for (const arg of argv) {
    if (arg === '--check') check = true;
    else if (arg.startsWith('--out=')) outDir = resolve(arg.slice('--out='.length));
    else throw new Error(`unknown argument ${arg} (expected --check or --out=<dir>)`);
  }
  return { check, outDir };
}

/** Asks `capnp compile -o-` for the CodeGeneratorRequest that capnp-es consumes. */
function codeGeneratorRequest(schemaFile) {
  try {
    // PWD must match cwd or capnp warns on stderr about a mismatched directory.
    return execFileSync(
      'capnp',
      ['compile', '-o-', '--src-prefix=schema', relative(packageRoot, schemaFile)],
      { cwd: packageRoot, env: { ...process.env, PWD: packageRoot }, maxBuffer: 64 * 1024 * 1024 },
    );
  } catch (err) {
    if (err && err.code === 'ENOENT') {
      throw new Error('`capnp` is not installed or not on PATH (Debian/Ubuntu: apt-get install capnproto)');
    }
    throw new Error(`capnp compile failed for ${relative(packageRoot, schemaFile)}:\n${err.stderr ?? err}`);
  }
}

/** Generated sources keyed by output file name, e.g. `trade.gen.ts`. */
async function generate() {
  const schemas = readdirSync(schemaDir)
    .filter((name) => name.endsWith('.capnp'))
    .sort();
  const outputs = new Map();
  for (const name of schemas) {
    const { files } = await compileAll(codeGeneratorRequest(join(schemaDir, name)), { ts: true });
    for (const [fileName, content] of files) {
      const outName = `${basename(fileName, '.ts')}.gen.ts`;
      // Same re-indent as the capnp-es CLI: the TypeScript printer emits 4 spaces.
      const source = content.replace(/^\s+/gm, (match) => ' '.repeat(match.length / 2));
      // capnp-es does not emit `override`, which the repo's noImplicitOverride rejects;
      // @ts-nocheck silences errors inside this file only, its types still flow to importers.
      outputs.set(
        outName,
        `// Generated from schema/${name} by scripts/generate-capnp.mjs. Do not edit; regenerate.\n// @ts-nocheck\n${source}`,
      );
    }
  }
  return outputs;
}

function writeAll(outputs, dir) {
  mkdirSync(dir, { recursive: true });
  for (const [name, source] of outputs) writeFileSync(join(dir, name), source);
}

function listGenerated(dir) {
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.gen.ts')) : [];
}

async function main() {
  const { check, outDir } = parseArgs(process.argv.slice(2));
  const outputs = await generate();
  if (!check) {
    writeAll(outputs, outDir);
    for (const name of outputs.keys())
      console.log(`[generate-capnp] wrote ${relative(packageRoot, join(outDir, name))}`);
    return;
  }
  const scratch = mkdtempSync(join(tmpdir(), 'marketpipe-capnp-'));
  try {
    writeAll(outputs, scratch);
    const problems = [];
    for (const name of outputs.keys()) {
      const committed = join(outDir, name);
      if (!existsSync(committed)) problems.push(`${relative(packageRoot, committed)} is missing`);
      else if (!readFileSync(committed).equals(readFileSync(join(scratch, name)))) {
        problems.push(`${relative(packageRoot, committed)} differs from what the schema generates`);
      }
    }
    for (const name of listGenerated(outDir)) {
      if (!outputs.has(name))
        problems.push(`${relative(packageRoot, join(outDir, name))} has no schema any more`);
    }
    if (problems.length > 0) {
      console.error(
        `[generate-capnp] generated Cap'n Proto code is out of date:\n  ${problems.join('\n  ')}`,
      );
      console.error(`[generate-capnp] ${regenerateHint}`);
      process.exitCode = 1;
      return;
    }
    console.log(`[generate-capnp] ${outputs.size} generated file(s) up to date`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`[generate-capnp] ${err instanceof Error ? err.message : err}`);
  process.exitCode = 1;
});
