// End-to-end proof of the release flow against a private registry:
//   1. start Verdaccio on a free loopback port, storage in a temp dir;
//   2. copy the repository (tracked and new files) to a throwaway directory;
//   3. run the real `pnpm release` script there as the repository stands: it publishes the version the
//      packages carry (the release that was cut, 0.1.0 first), with the registry pointed at Verdaccio;
//   4. install both packages at that version from Verdaccio into a fresh project with the example trade
//      consumer (examples/trade-consumer), and run it against a real nats-server: it must decode the
//      trades a Publisher from the installed packages sends;
//   5. then the next release: add a changeset, run `pnpm version-packages` and `pnpm release`, and install
//      and import `@marketpipe/middleware@<new version>` in another fresh project.
// Nothing is published anywhere but that local registry: the copy's .npmrc and the environment both
// point at it, and Verdaccio never proxies @marketpipe/* to an uplink.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { tsImport } from 'tsx/esm/api';
import { capture, repoRoot, run, tempDir } from './lib/workspace.mjs';

// The workspace's one nats-server launcher is TypeScript; tsx (a root dev dependency) loads it here.
const { startNatsServer } = await tsImport('../tools/test-support/src/nats-server.ts', import.meta.url);

const work = tempDir('release');
let registryProcess;
try {
  const port = await freePort();
  const registry = `http://127.0.0.1:${port}/`;
  registryProcess = await startVerdaccio(work, port);
  const token = await createUser(registry);
  process.stdout.write(`verdaccio up at ${registry}\n`);

  const copy = join(work, 'repo');
  copyRepository(repoRoot, copy);
  const npmrc = [
    `registry=${registry}`,
    `//127.0.0.1:${port}/:_authToken=${token}`,
    'engine-strict=true',
    '',
  ];
  writeFileSync(join(copy, '.npmrc'), npmrc.join('\n'));
  const env = {
    ...process.env,
    npm_config_registry: registry,
    NPM_CONFIG_REGISTRY: registry,
    NPM_TOKEN: token,
    NODE_AUTH_TOKEN: token,
    CI: 'true',
    TURBO_TELEMETRY_DISABLED: '1',
    GIT_AUTHOR_NAME: 'release-test',
    GIT_AUTHOR_EMAIL: 'release-test@marketpipe.invalid',
    GIT_COMMITTER_NAME: 'release-test',
    GIT_COMMITTER_EMAIL: 'release-test@marketpipe.invalid',
  };
  const git = (...args) => execFileSync('git', args, { cwd: copy, env, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'snapshot for release test');

  const before = readVersion(copy, 'packages/middleware');
  // The cut release, published as it stands: the version in package.json and its CHANGELOG entry.
  run('pnpm', ['install', '--frozen-lockfile', '--prefer-offline', '--reporter=silent'], { cwd: copy, env });
  run('pnpm', ['release'], { cwd: copy, env });
  for (const name of ['@marketpipe/middleware', '@marketpipe/connector']) {
    const version = capture('npm', ['view', `${name}@${before}`, 'version', `--registry=${registry}`], {
      env,
    });
    if (version !== before)
      throw new Error(`registry has ${version || 'nothing'} for ${name}, expected ${before}`);
  }
  process.stdout.write(`release: published the cut release ${before}\n`);
  await runExampleConsumer(work, registry, before, env);

  writeFileSync(
    join(copy, '.changeset', 'release-test.md'),
    "---\n'@marketpipe/middleware': minor\n---\n\nRelease-flow test: a minor bump.\n",
  );
  git('add', '-A');
  git('commit', '-q', '-m', 'add changeset');

  run('pnpm', ['version-packages'], { cwd: copy, env });
  const after = readVersion(copy, 'packages/middleware');
  const connectorAfter = readVersion(copy, 'packages/connector');
  if (after === before) throw new Error(`version-packages did not bump middleware (still ${before})`);
  if (connectorAfter !== after)
    throw new Error(`fixed group broken: middleware ${after}, connector ${connectorAfter}`);
  process.stdout.write(`version-packages: ${before} -> ${after}\n`);
  git('add', '-A');
  git('commit', '-q', '-m', 'version packages');

  run('pnpm', ['release'], { cwd: copy, env });

  const published = capture(
    'npm',
    ['view', `@marketpipe/middleware@${after}`, 'version', `--registry=${registry}`],
    {
      env,
    },
  );
  if (published !== after)
    throw new Error(`registry has ${published || 'nothing'} for middleware, expected ${after}`);

  const consumer = join(work, 'consumer');
  mkdirSync(consumer);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'release-consumer', private: true }));
  writeFileSync(join(consumer, '.npmrc'), `registry=${registry}\n`);
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', `@marketpipe/middleware@${after}`], {
    cwd: consumer,
    env,
  });
  const installed = JSON.parse(
    readFileSync(join(consumer, 'node_modules', '@marketpipe', 'middleware', 'package.json'), 'utf8'),
  ).version;
  if (installed !== after) throw new Error(`installed ${installed}, expected ${after}`);
  run(
    'node',
    [
      '--input-type=module',
      '-e',
      "import * as mw from '@marketpipe/middleware'; if (typeof mw.hasErrorCode !== 'function') throw new Error('bad exports'); console.log('imported @marketpipe/middleware:', Object.keys(mw).length, 'exports');",
    ],
    { cwd: consumer, env },
  );
  process.stdout.write(
    `release test passed: published ${before} (the example consumer decoded trades from the installed packages), then ${after}, installed and imported\n`,
  );
} finally {
  registryProcess?.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}

/**
 * Installs both published packages into a fresh project with examples/trade-consumer/consumer.mjs, starts a
 * private nats-server, runs the example, and publishes two trades with a Publisher from the installed packages:
 * the example must print both, decoded.
 */
async function runExampleConsumer(work, registry, version, env) {
  const project = join(work, 'trade-consumer');
  mkdirSync(project);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'trade-consumer', private: true, type: 'module' }),
  );
  writeFileSync(join(project, '.npmrc'), `registry=${registry}\n`);
  cpSync(join(repoRoot, 'examples', 'trade-consumer', 'consumer.mjs'), join(project, 'consumer.mjs'));
  run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      `@marketpipe/middleware@${version}`,
      `@marketpipe/connector@${version}`,
    ],
    { cwd: project, env },
  );
  const server = await startNatsServer();
  const url = server.url;
  let consumer;
  try {
    consumer = spawn(
      process.execPath,
      ['consumer.mjs', '--servers', url, '--subject', 'dev.*.trade.>', '--count', '2'],
      {
        cwd: project,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    consumer.stdout.on('data', (chunk) => {
      out += chunk;
    });
    consumer.stderr.on('data', (chunk) => {
      err += chunk;
    });
    const deadline = Date.now() + 20_000;
    while (!err.includes('"ready":true')) {
      if (consumer.exitCode !== null || Date.now() > deadline)
        throw new Error(`example consumer did not get ready: ${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    writeFileSync(
      join(project, 'publish.mjs'),
      [
        "import { Interner, NatsTransport } from '@marketpipe/middleware';",
        "import { Publisher, TradeSide } from '@marketpipe/connector';",
        `const transport = await NatsTransport.connect({ servers: [${JSON.stringify(url)}] });`,
        "const publisher = new Publisher({ transport, env: 'dev', venue: 'binance', interner: new Interner() });",
        "for (const tradeId of ['41', '42']) publisher.publish({ timestampNanos: 1n, receivedNanos: 2n, ticker: 'BTC/USDT', price: 42000.5, size: 0.25, side: TradeSide.sell, tradeId });",
        'await transport.flush();',
        'await transport.close();',
        '',
      ].join('\n'),
    );
    run('node', ['publish.mjs'], { cwd: project, env });
    const timer = setTimeout(() => consumer.kill('SIGKILL'), 20_000);
    const [code] = await once(consumer, 'exit');
    clearTimeout(timer);
    const lines = out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const expected = [
      {
        subject: 'dev.binance.trade.BTC-USDT',
        ticker: 'BTC/USDT',
        tradeId: '41',
        side: 'sell',
        price: 42000.5,
        size: 0.25,
        timestampNanos: '1',
      },
      {
        subject: 'dev.binance.trade.BTC-USDT',
        ticker: 'BTC/USDT',
        tradeId: '42',
        side: 'sell',
        price: 42000.5,
        size: 0.25,
        timestampNanos: '1',
      },
      { done: true, trades: 2 },
    ];
    if (code !== 0 || JSON.stringify(lines) !== JSON.stringify(expected)) {
      throw new Error(`example consumer (exit ${code}) printed ${out}${err}`);
    }
    process.stdout.write(
      `example trade consumer decoded ${lines.length - 1} trades from @marketpipe/*@${version}\n`,
    );
  } finally {
    if (consumer?.exitCode === null) consumer.kill('SIGKILL');
    await server.dispose();
  }
}

function readVersion(root, dir) {
  return JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')).version;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Copies tracked and untracked-but-not-ignored files, so uncommitted work is tested too. */
function copyRepository(from, to) {
  const files = capture('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: from,
  })
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    try {
      mkdirSync(dirname(join(to, file)), { recursive: true });
      cpSync(join(from, file), join(to, file));
    } catch (err) {
      if (err.code !== 'ENOENT') throw err; // deleted in the working tree but still tracked
    }
  }
}

async function startVerdaccio(dir, port) {
  const upstream = capture('npm', ['config', 'get', 'registry']) || 'https://registry.npmjs.org/';
  const config = join(dir, 'verdaccio.yaml');
  writeFileSync(
    config,
    [
      `storage: ${join(dir, 'storage')}`,
      'auth:',
      '  htpasswd:',
      `    file: ${join(dir, 'htpasswd')}`,
      '    max_users: 10',
      'uplinks:',
      '  upstream:',
      `    url: ${upstream}`,
      'packages:',
      "  '@marketpipe/*':",
      '    access: $all',
      '    publish: $authenticated',
      "  '**':",
      '    access: $all',
      '    publish: $authenticated',
      '    proxy: upstream',
      'log: { type: stdout, format: pretty, level: warn }',
      '',
    ].join('\n'),
  );
  const bin = join(repoRoot, 'node_modules', 'verdaccio', 'bin', 'verdaccio');
  const child = spawn(process.execPath, [bin, '--config', config, '--listen', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`verdaccio exited with ${child.exitCode}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/-/ping`);
      if (res.ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error('verdaccio did not start within 30 s');
}

async function createUser(registry) {
  const res = await fetch(`${registry}-/user/org.couchdb.user:release-test`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'release-test',
      password: 'release-test-password',
      type: 'user',
      roles: [],
    }),
  });
  const body = await res.json();
  if (!res.ok || typeof body.token !== 'string')
    throw new Error(`could not create registry user: ${JSON.stringify(body)}`);
  return body.token;
}
