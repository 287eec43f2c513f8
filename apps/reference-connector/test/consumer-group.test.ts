/**
 * The consumer-group example (`examples/consumer-group/worker.mjs`, run as
 * users run it, against the built packages): three workers in one queue
 * group and a real connector on a private nats-server. Every trade the
 * connector published reaches exactly one worker, and the work is split.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NatsServerHandle, startNatsServer } from '@marketpipe/test-support/nats-server';
import { sleep, waitFor } from '@marketpipe/test-support/wait-for';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli } from './reliability/support/cli-process.js';
import { readSummary } from './reliability/support/recordings.js';
import { checkTape } from './reliability/support/stream-observer.js';

const worker = fileURLToPath(new URL('../../../examples/consumer-group/worker.mjs', import.meta.url));

interface WorkerLine {
  worker: string;
  ticker?: string;
  tradeId?: string;
  done?: boolean;
  trades?: number;
}

let server: NatsServerHandle;
beforeAll(async () => {
  server = await startNatsServer();
});
afterAll(async () => {
  await server?.dispose();
});

function startWorker(name: string): { child: ChildProcess; lines: WorkerLine[]; ready: Promise<void> } {
  const child = spawn(
    process.execPath,
    [
      worker,
      '--servers',
      server.url,
      '--subject',
      'group.binance.trade.>',
      '--group',
      'desk',
      '--name',
      name,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: WorkerLine[] = [];
  let pending = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    pending += chunk;
    const complete = pending.split('\n');
    pending = complete.pop() ?? '';
    for (const line of complete) if (line) lines.push(JSON.parse(line) as WorkerLine);
  });
  let stderr = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr += chunk;
      if (stderr.includes('"ready":true')) resolve();
    });
    child.once('exit', (code) =>
      reject(new Error(`worker ${name} exited (${code}) before it was ready:\n${stderr}`)),
    );
  });
  return { child, lines, ready };
}

describe('examples/consumer-group', () => {
  it('three workers in one queue group: every published trade reaches exactly one of them, and each gets some', async () => {
    const workers = ['w1', 'w2', 'w3'].map(startWorker);
    try {
      await Promise.all(workers.map((w) => w.ready));
      const dir = mkdtempSync(join(tmpdir(), 'mp-group-'));
      const cli = startCli([
        'run',
        '--rate',
        '500',
        '--env',
        'group',
        '--transport',
        server.url,
        '--data-dir',
        join(dir, 'data'),
        '--json-summary',
        join(dir, 'summary.json'),
      ]);
      await cli.waitForLog('"event":"connected"');
      await sleep(2000);
      cli.child.kill('SIGTERM');
      expect(await cli.exited, cli.stderr()).toEqual({ code: 0, signal: null });
      const summary = readSummary(join(dir, 'summary.json'));
      const received = () => workers.reduce((n, w) => n + w.lines.filter((l) => l.tradeId).length, 0);
      await waitFor('every trade to reach a worker', () => received() >= summary.published, {
        timeoutMs: 5000,
      }).catch(() => undefined); // the assertions below say what is missing
      for (const w of workers) w.child.kill('SIGTERM');
      await Promise.all(workers.map((w) => new Promise((r) => w.child.once('exit', r))));

      const ids = new Map<string, bigint[]>();
      for (const w of workers) {
        for (const line of w.lines) {
          if (line.ticker === undefined || line.tradeId === undefined) continue;
          const list = ids.get(line.ticker) ?? [];
          list.push(BigInt(line.tradeId));
          ids.set(line.ticker, list);
        }
      }
      expect(summary.published).toBeGreaterThan(300);
      for (const [ticker, count] of Object.entries(summary.tradesPerSymbol)) {
        const tape = checkTape((ids.get(ticker) ?? []).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
        expect(tape, ticker).toEqual({ distinct: count, holes: 0, repeats: 0, outOfOrder: 0 });
      }
      for (const w of workers) {
        const handled = w.lines.filter((l) => l.tradeId).length;
        expect(handled, 'each worker gets a share').toBeGreaterThan(summary.published / 10);
        expect(w.lines.at(-1)).toMatchObject({ done: true, trades: handled });
      }
    } finally {
      for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    }
  }, 60_000);
});
