/**
 * Start-up cost (issue 15): nats.js loads when a NATS connection needs it, never on import; hdr-histogram-js and
 * pako (now only the tests' reference) never load, a latency summary included. Each case runs a fresh Node process and lists the CommonJS packages it loaded
 * (nats.js and the histogram library are CommonJS, so an `import` of them lands in `require.cache` too).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const HEAVY = /[\\/]node_modules[\\/](@nats-io[\\/][^\\/]+|hdr-histogram-js|pako)[\\/]/;

/** Runs `body` (an ES module) in a child process and returns the heavy packages it had loaded at each `mark(label)`. */
function loadedPackages(body: string, execArgv: string[]): Record<string, string[]> {
  const script = `
    import { createRequire } from 'node:module';
    const require = createRequire(import.meta.url);
    const marks = {};
    const heavy = ${HEAVY.toString()};
    const mark = (label) => {
      marks[label] = [...new Set(Object.keys(require.cache).flatMap((path) => heavy.exec(path)?.[1] ?? []))].sort();
    };
    ${body}
    process.stdout.write(JSON.stringify(marks));
  `;
  const out = execFileSync(process.execPath, [...execArgv, '--input-type=module', '-e', script], {
    cwd: packageDir,
    encoding: 'utf8',
  });
  return JSON.parse(out) as Record<string, string[]>;
}

// Every entry imported, an in-memory transport used and latencies recorded: none of that needs the heavy packages.
// Nor does a summary. Then a NATS connect attempt to a closed port, which needs nats.js.
const USE_EVERY_ENTRY = (entry: (subpath: string) => string): string => `
  const main = await import('${entry('')}');
  const transport = await import('${entry('/transport')}');
  const latency = await import('${entry('/latency')}');
  await import('${entry('/journal')}');
  await import('${entry('/errors')}');
  await import('${entry('/internal')}');
  const memory = new main.InMemoryTransport();
  let received = 0;
  memory.subscribe('a.b', () => { received++; });
  memory.publish('a.b', new Uint8Array([1]));
  if (received !== 1) throw new Error('the in-memory transport did not deliver');
  transport.describeNatsConnection({ servers: 'nats://127.0.0.1:4222' });
  const recorder = new latency.LatencyRecorder();
  recorder.record(1500);
  mark('imported and used');
  recorder.summary();
  mark('after a latency summary');
  await main.NatsTransport.connect({ servers: 'nats://127.0.0.1:1', firstConnectTimeoutMs: 50, reconnectTimeWaitMs: 10 })
    .then(() => { throw new Error('connected to a closed port'); }, (err) => { if (err.code !== 'MP_ERR_TRANSPORT_CONNECT') throw err; });
  mark('after a NATS connect attempt');
`;

describe('heavy dependencies load on first use', () => {
  it('from source: no entry loads nats.js until a NATS connection, nor hdr-histogram-js or pako at all', () => {
    const marks = loadedPackages(
      USE_EVERY_ENTRY((subpath) => `@marketpipe/middleware${subpath}`),
      ['--conditions=@marketpipe/source', '--import', 'tsx'],
    );
    expect(marks['imported and used']).toEqual([]);
    expect(marks['after a latency summary']).toEqual([]);
    expect(marks['after a NATS connect attempt']).toEqual(
      expect.arrayContaining(['@nats-io/nats-core', '@nats-io/transport-node']),
    );
  }, 30_000);

  it('from the build: the bundler does not hoist them into a shared chunk of the entries', () => {
    // The test command builds before it tests; a missing build is a failure here, not a skip.
    expect(existsSync(`${packageDir}/dist/index.js`), 'packages/middleware/dist (run pnpm build)').toBe(true);
    for (const format of ['js', 'cjs']) {
      const marks = loadedPackages(
        USE_EVERY_ENTRY((subpath) => `./dist/${subpath === '' ? 'index' : subpath.slice(1)}.${format}`),
        [],
      );
      expect(marks['imported and used'], format).toEqual([]);
      expect(marks['after a latency summary'], format).toEqual([]);
      expect(marks['after a NATS connect attempt'], format).toContain('@nats-io/transport-node');
    }
  }, 30_000);
});
