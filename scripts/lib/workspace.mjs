// Helpers shared by the package, consumer and release checks: find the
// publishable workspace packages, pack them as npm would see them, and run
// commands with their output shown.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The non-private packages under packages/, as { name, version, dir }. */
export function publishablePackages(root = repoRoot) {
  const base = join(root, 'packages');
  return readdirSync(base, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => {
      const dir = join(base, d.name);
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      return { name: manifest.name, version: manifest.version, private: manifest.private === true, dir };
    })
    .filter((p) => !p.private)
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Runs a command, echoing it, with inherited output; throws on a non-zero exit. */
export function run(cmd, args, options = {}) {
  process.stdout.write(`$ ${cmd} ${args.join(' ')}\n`);
  execFileSync(cmd, args, { stdio: 'inherit', ...options });
}

/** Runs a command and returns its trimmed stdout. */
export function capture(cmd, args, options = {}) {
  return execFileSync(cmd, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    ...options,
  }).trim();
}

/** A fresh temporary directory outside the workspace. */
export function tempDir(prefix) {
  return mkdtempSync(join(tmpdir(), `marketpipe-${prefix}-`));
}

/**
 * Packs a package with pnpm (which rewrites `workspace:` ranges to real
 * versions, as publishing does) and returns the tarball path.
 */
export function pack(pkgDir, destination) {
  const before = new Set(readdirSync(destination));
  execFileSync('pnpm', ['pack', '--pack-destination', destination], {
    cwd: pkgDir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const created = readdirSync(destination).filter((f) => f.endsWith('.tgz') && !before.has(f));
  if (created.length !== 1) throw new Error(`expected one tarball from ${pkgDir}, got ${created.join(', ')}`);
  return join(destination, created[0]);
}
