// Installs the packed middleware and connector tarballs into a fresh project
// outside the workspace and uses them as a consumer would: `import` (ESM),
// `require` (CJS), and a strict TypeScript type-check against the shipped
// declarations. Requires a prior build (`pnpm build`).
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pack, publishablePackages, repoRoot, run, tempDir } from './lib/workspace.mjs';

const packages = publishablePackages();
const project = tempDir('consumer');
const tarballs = tempDir('consumer-tgz');
try {
  const specs = packages.map((p) => pack(p.dir, tarballs));
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, version: '0.0.0' }),
  );
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...specs], { cwd: project });
  // Types come from the workspace's pinned versions, installed alongside as a consumer would.
  run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      '-D',
      'typescript@5.9.3',
      '@types/node@20.19.43',
    ],
    {
      cwd: project,
    },
  );

  const names = packages.map((p) => p.name);
  const esm = names.map((n, i) => `import * as m${i} from '${n}';`).join('\n');
  const checks = names
    .map((n, i) => `if (Object.keys(m${i}).length === 0) throw new Error('${n}: no ESM exports');`)
    .join('\n');
  writeFileSync(
    join(project, 'esm.mjs'),
    `${esm}\n${checks}\nconsole.log('esm ok:', ${JSON.stringify(names)});\n`,
  );
  writeFileSync(
    join(project, 'cjs.cjs'),
    `${names
      .map((n) => `if (Object.keys(require('${n}')).length === 0) throw new Error('${n}: no CJS exports');`)
      .join('\n')}\nconsole.log('cjs ok:', ${JSON.stringify(names)});\n`,
  );
  writeFileSync(join(project, 'usage.mts'), consumerSource('esm'));
  writeFileSync(join(project, 'usage.cts'), consumerSource('cjs'));
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'node16',
        moduleResolution: 'node16',
        target: 'es2022',
        strict: true,
        noEmit: true,
        types: ['node'],
        skipLibCheck: false,
      },
      files: ['usage.mts', 'usage.cts'],
    }),
  );
  run('node', ['esm.mjs'], { cwd: project });
  run('node', ['cjs.cjs'], { cwd: project });
  run(join(project, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: project });
  process.stdout.write(`consumer test passed (workspace ${repoRoot})\n`);
} finally {
  rmSync(project, { recursive: true, force: true });
  rmSync(tarballs, { recursive: true, force: true });
}

/** A small typed program over the public API, checked under node16 resolution from ESM and CJS. */
function consumerSource(kind) {
  const imports =
    kind === 'esm'
      ? "import { hasErrorCode } from '@marketpipe/middleware';\nimport { TradeSide, type TradeData } from '@marketpipe/connector';"
      : "import mw = require('@marketpipe/middleware');\nimport conn = require('@marketpipe/connector');\nconst { hasErrorCode } = mw;\nconst { TradeSide } = conn;\ntype TradeData = conn.TradeData;";
  return `${imports}
const trade: TradeData = {
  timestampNanos: 1n,
  receivedNanos: 2n,
  ticker: 'BTCUSDT',
  price: 1.5,
  size: 0.25,
  side: TradeSide.buy,
  tradeId: '42',
};
const ok: boolean = hasErrorCode(new Error('x'), 'ERR_X');
export const summary: string = \`\${trade.ticker} \${ok}\`;
`;
}
