// Installs the packed middleware and connector tarballs into a fresh project
// outside the workspace and uses them as a consumer would: `import` (ESM),
// `require` (CJS), and a strict TypeScript type-check against the shipped
// declarations. It does so under every Node line of the matrix (the running
// Node, then each line pinned in scripts/node-lines.json): npm installs with
// that Node first on PATH, so the connector's install script runs under it.
// The optional `simdjson` is installed (compiled) on the running Node only; the
// other lines omit it, which also checks that the connector works without it
// and names it clearly when its backend is asked for. Requires a prior build
// (`pnpm build`) and the pinned Nodes (`node scripts/install-node.mjs`).
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { matrixNodes } from './lib/node-lines.mjs';
import { pack, publishablePackages, repoRoot, run, tempDir } from './lib/workspace.mjs';

/** A type exported by each subpath entry, for the consumer type-check. */
const SUBPATH_TYPES = [
  ['@marketpipe/middleware/transport', 'FastPublishTransport'],
  ['@marketpipe/middleware/journal', 'Journal'],
  ['@marketpipe/middleware/latency', 'LatencyRecorder'],
  ['@marketpipe/middleware/errors', 'MarketpipeError'],
  ['@marketpipe/connector/pipeline', 'Runner'],
  ['@marketpipe/connector/codec', 'TradeEncoderOptions'],
  ['@marketpipe/connector/books', 'OrderBook'],
  ['@marketpipe/connector/feeds', 'VenueParser'],
  ['@marketpipe/connector/venues', 'VenueDefinition'],
  ['@marketpipe/connector/sources', 'MessageSource'],
  ['@marketpipe/connector/recording', 'RingBuffer'],
  ['@marketpipe/connector/simulator', 'SimulatorServer'],
  ['@marketpipe/connector/errors', 'VenueLockHolder'],
];

const packages = publishablePackages();
const nodes = matrixNodes();
const tarballs = tempDir('consumer-tgz');
try {
  const specs = packages.map((p) => pack(p.dir, tarballs));
  for (const [index, node] of nodes.entries()) {
    process.stdout.write(`\n-- consumer on Node ${node.version} (${node.node})\n`);
    consumeOn(node, specs, { full: index === 0 });
  }
  process.stdout.write(
    `consumer test passed on Node ${nodes.map((n) => n.version).join(', ')} (workspace ${repoRoot})\n`,
  );
} finally {
  rmSync(tarballs, { recursive: true, force: true });
}

/**
 * Installs the tarballs into a fresh project with `node` first on PATH, then runs the smoke tests with it.
 * `full`: with the optional simdjson, and the type-check (the same on every line).
 */
function consumeOn(node, specs, { full }) {
  const project = tempDir('consumer');
  const env = {
    ...process.env,
    PATH: `${node.binDir}:${process.env.PATH}`,
    CONSUMER_SIMDJSON: full ? 'installed' : 'omitted',
  };
  try {
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, version: '0.0.0' }),
    );
    const omit = full ? [] : ['--omit=optional'];
    run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...omit, ...specs], {
      cwd: project,
      env,
    });
    // The tarball's prebuilt binary must have served this Node: nothing was compiled at install.
    const compiled = join(project, 'node_modules', '@marketpipe', 'connector', 'build');
    if (existsSync(compiled)) {
      throw new Error(`Node ${node.version}: the connector compiled its binding at install (${compiled})`);
    }
    writeFileSync(join(project, 'smoke.mjs'), runtimeSmoke('esm'));
    writeFileSync(join(project, 'smoke.cjs'), runtimeSmoke('cjs'));
    run(node.node, ['smoke.mjs'], { cwd: project, env });
    run(node.node, ['smoke.cjs'], { cwd: project, env });
    if (full) typecheckConsumer(project, env);
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}

/** Type-checks a consumer program against the shipped declarations (the same on every Node line). */
function typecheckConsumer(project, env) {
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
    { cwd: project, env },
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
  run(join(project, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: project, env });
}

/**
 * A runtime check over the installed packages: a trade published in memory and decoded, and raw messages
 * through the memory-mapped ring and the flusher worker (its separate build entry) into a record file.
 */
function runtimeSmoke(kind) {
  const subpaths = {
    mwTransport: '@marketpipe/middleware/transport',
    mwJournal: '@marketpipe/middleware/journal',
    mwLatency: '@marketpipe/middleware/latency',
    mwErrors: '@marketpipe/middleware/errors',
    pipeline: '@marketpipe/connector/pipeline',
    codec: '@marketpipe/connector/codec',
    books: '@marketpipe/connector/books',
    feeds: '@marketpipe/connector/feeds',
    venues: '@marketpipe/connector/venues',
    sources: '@marketpipe/connector/sources',
    recording: '@marketpipe/connector/recording',
    simulator: '@marketpipe/connector/simulator',
    connErrors: '@marketpipe/connector/errors',
  };
  const names = Object.keys(subpaths);
  const load =
    kind === 'esm'
      ? `import * as mw from '@marketpipe/middleware';\nimport * as conn from '@marketpipe/connector';\n${names.map((n) => `import * as ${n} from '${subpaths[n]}';`).join('\n')}\nimport { mkdtempSync, rmSync } from 'node:fs';\nimport { tmpdir } from 'node:os';\nimport { join } from 'node:path';`
      : `const mw = require('@marketpipe/middleware');\nconst conn = require('@marketpipe/connector');\n${names.map((n) => `const ${n} = require('${subpaths[n]}');`).join('\n')}\nconst { mkdtempSync, rmSync } = require('node:fs');\nconst { tmpdir } = require('node:os');\nconst { join } = require('node:path');`;
  return `${load}
const main = async () => {
  // Every subpath loads, and a class reached through two entries is one class (shared chunks), so instanceof holds.
  const entries = { ${names.join(', ')} };
  for (const [name, entry] of Object.entries(entries)) {
    if (Object.keys(entry).length === 0) throw new Error('subpath ' + name + ' exports nothing');
  }
  if (mwTransport.InMemoryTransport !== mw.InMemoryTransport || codec.TradeView !== conn.TradeView ||
      pipeline.Publisher !== conn.Publisher || books.BookView !== conn.BookView || venues.VENUES !== feeds.VENUES ||
      mwErrors.MarketpipeError !== mw.MarketpipeError || !(new codec.CapnpFormatError('x') instanceof mw.MarketpipeError) ||
      connErrors.SubjectCollisionError !== conn.SubjectCollisionError || connErrors.CapnpFormatError !== books.CapnpFormatError ||
      connErrors.InvalidArgumentError !== mwErrors.InvalidArgumentError || connErrors.FlusherWorkerError !== pipeline.FlusherWorkerError) {
    throw new Error('a class differs between entries');
  }
  const transport = new mw.InMemoryTransport();
  const seen = [];
  const view = new conn.TradeView();
  transport.subscribe('dev.binance.trade.>', (payload, subject) => seen.push([subject, view.wrap(payload).tradeId]));
  const publisher = new conn.Publisher({ transport, env: 'dev', venue: 'binance', interner: new mw.Interner() });
  publisher.publish({ timestampNanos: 1n, receivedNanos: 2n, ticker: 'BTC/USDT', price: 1.5, size: 2, side: conn.TradeSide.buy, tradeId: '42' });
  if (JSON.stringify(seen) !== JSON.stringify([['dev.binance.trade.BTC-USDT', '42']])) throw new Error('publish: ' + JSON.stringify(seen));

  const dir = mkdtempSync(join(tmpdir(), 'consumer-${kind}-'));
  const ringPath = join(dir, 'raw.ring');
  const ring = recording.RingBuffer.open(ringPath, { slotSize: 256, slotCount: 64 });
  const flusher = await recording.DiskFlusher.start({ ringPath, dataDir: dir, venue: 'binance' });
  for (const text of ['a', 'b\\nc', '']) ring.tryWrite(new TextEncoder().encode(text));
  flusher.notify();
  await flusher.stop();
  ring.close();
  // The same ring read directly through a second mapping (the native binding), then written to a closed ring.
  const writer = recording.RingBuffer.open(join(dir, 'direct.ring'), { slotSize: 64, slotCount: 16 });
  const reader = recording.RingBuffer.open(join(dir, 'direct.ring'));
  writer.tryWrite(new TextEncoder().encode('direct'));
  const direct = [];
  reader.release(reader.readBatch(16, (bytes, start, end) => direct.push(new TextDecoder().decode(bytes.subarray(start, end)))));
  reader.close();
  writer.close();
  if (JSON.stringify(direct) !== '["direct"]') throw new Error('ring read: ' + JSON.stringify(direct));
  let closedCode;
  try { writer.tryWrite(new Uint8Array(1)); } catch (err) { closedCode = err.code; }
  if (closedCode !== 'MP_ERR_RING_CLOSED') throw new Error('write after close: ' + closedCode);
  let simdjson;
  try { feeds.createParser('binance', { backend: 'simdjson' }); simdjson = 'installed'; } catch (err) { simdjson = err.code; }
  const expected = process.env.CONSUMER_SIMDJSON === 'installed' ? 'installed' : 'MP_ERR_SIMDJSON_UNAVAILABLE';
  if (simdjson !== expected) throw new Error('simdjson backend: ' + simdjson + ', expected ' + expected);
  const records = [...conn.readVenueRecords(dir, 'binance')].map((r) => new TextDecoder().decode(r.payload));
  if (JSON.stringify(records) !== JSON.stringify(['a', 'b\\nc', ''])) throw new Error('flusher: ' + JSON.stringify(records));
  rmSync(dir, { recursive: true, force: true });
  console.log('${kind} ok on Node ' + process.version + ': publish, ring write and read, flusher worker, simdjson ' + simdjson);
};
main().catch((err) => { console.error(err); process.exit(1); });
`;
}

/** A small typed program over the public API, checked under node16 resolution from ESM and CJS. */
function consumerSource(kind) {
  const imports =
    kind === 'esm'
      ? "import { hasErrorCode, InMemoryTransport, Interner, type Transport } from '@marketpipe/middleware';\nimport { Publisher, TradeSide, TradeView, type PipelineOptions, type TradeData } from '@marketpipe/connector';\n" +
        SUBPATH_TYPES.map(([spec, name]) => `import type { ${name} } from '${spec}';`).join('\n')
      : "import mw = require('@marketpipe/middleware');\nimport conn = require('@marketpipe/connector');\nconst { hasErrorCode, InMemoryTransport, Interner } = mw;\nconst { Publisher, TradeSide, TradeView } = conn;\ntype Transport = mw.Transport;\ntype TradeData = conn.TradeData;\ntype PipelineOptions = conn.PipelineOptions;\n" +
        SUBPATH_TYPES.map(
          ([spec, name], i) => `import sub${i} = require('${spec}');\ntype ${name} = sub${i}.${name};`,
        ).join('\n');
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
// One type from every subpath resolves under node16 from ESM and CJS.
export type SubpathTypes = [${SUBPATH_TYPES.map(([, name]) => name).join(', ')}];
`;
}
