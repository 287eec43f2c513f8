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

  writeFileSync(join(project, 'smoke.mjs'), runtimeSmoke('esm'));
  writeFileSync(join(project, 'smoke.cjs'), runtimeSmoke('cjs'));
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
  run('node', ['smoke.mjs'], { cwd: project });
  run('node', ['smoke.cjs'], { cwd: project });
  run(join(project, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: project });
  process.stdout.write(`consumer test passed (workspace ${repoRoot})\n`);
} finally {
  rmSync(project, { recursive: true, force: true });
  rmSync(tarballs, { recursive: true, force: true });
}

/**
 * A runtime check over the installed packages: a trade published in memory and decoded, and raw messages
 * through the memory-mapped ring and the flusher worker (its separate build entry) into a record file.
 */
function runtimeSmoke(kind) {
  const load =
    kind === 'esm'
      ? "import * as mw from '@marketpipe/middleware';\nimport * as conn from '@marketpipe/connector';\nimport { mkdtempSync } from 'node:fs';\nimport { tmpdir } from 'node:os';\nimport { join } from 'node:path';"
      : "const mw = require('@marketpipe/middleware');\nconst conn = require('@marketpipe/connector');\nconst { mkdtempSync } = require('node:fs');\nconst { tmpdir } = require('node:os');\nconst { join } = require('node:path');";
  return `${load}
const main = async () => {
  const transport = new mw.InMemoryTransport();
  const seen = [];
  const view = new conn.TradeView();
  transport.subscribe('dev.binance.trade.>', (payload, subject) => seen.push([subject, view.wrap(payload).tradeId]));
  const publisher = new conn.Publisher({ transport, env: 'dev', venue: 'binance', interner: new mw.Interner() });
  publisher.publish({ timestampNanos: 1n, receivedNanos: 2n, ticker: 'BTC/USDT', price: 1.5, size: 2, side: conn.TradeSide.buy, tradeId: '42' });
  if (JSON.stringify(seen) !== JSON.stringify([['dev.binance.trade.BTC-USDT', '42']])) throw new Error('publish: ' + JSON.stringify(seen));

  const dir = mkdtempSync(join(tmpdir(), 'consumer-${kind}-'));
  const ringPath = join(dir, 'raw.ring');
  const ring = conn.RingBuffer.open(ringPath, { slotSize: 256, slotCount: 64 });
  const flusher = await conn.DiskFlusher.start({ ringPath, dataDir: dir, venue: 'binance' });
  for (const text of ['a', 'b\\nc', '']) ring.tryWrite(new TextEncoder().encode(text));
  flusher.notify();
  await flusher.stop();
  ring.close();
  const records = [...conn.readVenueRecords(dir, 'binance')].map((r) => new TextDecoder().decode(r.payload));
  if (JSON.stringify(records) !== JSON.stringify(['a', 'b\\nc', ''])) throw new Error('flusher: ' + JSON.stringify(records));
  console.log('${kind} ok: publish, ring, flusher worker');
};
main().catch((err) => { console.error(err); process.exit(1); });
`;
}

/** A small typed program over the public API, checked under node16 resolution from ESM and CJS. */
function consumerSource(kind) {
  const imports =
    kind === 'esm'
      ? "import { hasErrorCode, InMemoryTransport, Interner, type Transport } from '@marketpipe/middleware';\nimport { Publisher, TradeSide, TradeView, type PipelineOptions, type TradeData } from '@marketpipe/connector';"
      : "import mw = require('@marketpipe/middleware');\nimport conn = require('@marketpipe/connector');\nconst { hasErrorCode, InMemoryTransport, Interner } = mw;\nconst { Publisher, TradeSide, TradeView } = conn;\ntype Transport = mw.Transport;\ntype TradeData = conn.TradeData;\ntype PipelineOptions = conn.PipelineOptions;";
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
const transport: Transport = new InMemoryTransport();
const publisher = new Publisher({ transport, env: 'dev', venue: 'binance', interner: new Interner() });
const published: boolean = publisher.publish(trade);
const view = new TradeView();
const options: PipelineOptions = { venue: 'okx', symbols: ['BTC-USDT'], source: { kind: 'sim', rate: 10 }, transport, env: 'dev', dataDir: 'data' };
export const summary: string = \`\${trade.ticker} \${ok} \${published} \${view.byteLength} \${options.venue}\`;
`;
}
