// Checks each publishable package as a user would receive it: pack the
// tarball, then run `publint --strict` and `attw` (Are the Types Wrong?) on it,
// and check that nothing in its `dist` loads a package it does not depend on
// (a dev dependency such as tsx or capnp-es would be missing for users); then
// that every entry exports at run time the values its declarations promise
// (check-exports.mjs). Requires a prior build (`pnpm build`).
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { checkEntryExports } from './check-exports.mjs';
import { pack, publishablePackages, run, tempDir } from './lib/workspace.mjs';

const out = tempDir('pack');
try {
  for (const pkg of publishablePackages()) {
    process.stdout.write(`\n== ${pkg.name}\n`);
    const tarball = pack(pkg.dir, out);
    run('pnpm', ['exec', 'publint', 'run', '--strict', tarball]);
    run('pnpm', ['exec', 'attw', '--format', 'table-flipped', tarball]);
    checkDistImports(tarball);
  }
  await checkEntryExports();
  process.stdout.write('\npackage checks passed\n');
} finally {
  rmSync(out, { recursive: true, force: true });
}

/** Fails when a file in the tarball's `dist` imports or requires a package that is not among its dependencies. */
function checkDistImports(tarball) {
  const unpacked = tempDir('unpacked');
  try {
    run('tar', ['-xzf', tarball, '-C', unpacked]);
    const root = join(unpacked, 'package');
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const allowed = new Set([
      manifest.name,
      ...Object.keys(manifest.dependencies ?? {}),
      ...Object.keys(manifest.optionalDependencies ?? {}),
      ...Object.keys(manifest.peerDependencies ?? {}),
    ]);
    const builtins = new Set(builtinModules);
    // Static and dynamic imports, re-exports and requires, also inside strings of code evaluated at run time.
    const specifier = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)["']([^"'\s]+)["']/g;
    const problems = [];
    const files = readdirSync(join(root, 'dist'), { recursive: true }).filter((f) => /\.(c|m)?js$/.test(f));
    for (const file of files) {
      const text = readFileSync(join(root, 'dist', file), 'utf8');
      for (const [, spec] of text.matchAll(specifier)) {
        if (spec.startsWith('.') || spec.startsWith('node:') || spec.startsWith('#')) continue;
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
        if (builtins.has(name) || allowed.has(name)) continue;
        problems.push(`dist/${file} loads ${spec}, which is not a dependency of ${manifest.name}`);
      }
    }
    if (problems.length > 0) throw new Error(problems.join('\n'));
    process.stdout.write(`dist loads only dependencies (${files.length} files checked)\n`);
  } finally {
    rmSync(unpacked, { recursive: true, force: true });
  }
}
