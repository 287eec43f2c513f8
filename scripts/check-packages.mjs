// Checks each publishable package as a user would receive it: pack the
// tarball, then run `publint --strict` and `attw` (Are the Types Wrong?) on it.
// Requires a prior build (`pnpm build`).
import { rmSync } from 'node:fs';
import { pack, publishablePackages, run, tempDir } from './lib/workspace.mjs';

const out = tempDir('pack');
try {
  for (const pkg of publishablePackages()) {
    process.stdout.write(`\n== ${pkg.name}\n`);
    const tarball = pack(pkg.dir, out);
    run('pnpm', ['exec', 'publint', 'run', '--strict', tarball]);
    run('pnpm', ['exec', 'attw', '--format', 'table-flipped', tarball]);
  }
  process.stdout.write('\npackage checks passed\n');
} finally {
  rmSync(out, { recursive: true, force: true });
}
