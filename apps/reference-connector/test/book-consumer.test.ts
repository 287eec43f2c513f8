/**
 * The order-book consumer example (`examples/book-consumer/consumer.mjs`, run as users run it, against the built
 * packages): a real connector publishing books from its simulator to a private nats-server, and the example
 * keeping one book per subject. Every update it prints is a book that is not crossed, and both symbols get one.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NatsServerHandle, startNatsServer } from '@marketpipe/test-support/nats-server';
import { waitFor } from '@marketpipe/test-support/wait-for';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli } from './reliability/support/cli-process.js';

const consumer = fileURLToPath(new URL('../../../examples/book-consumer/consumer.mjs', import.meta.url));

interface ConsumerLine {
  subject?: string;
  ticker?: string;
  kind?: 'snapshot' | 'delta';
  bid?: { price: number; size: number } | null;
  ask?: { price: number; size: number } | null;
  levels?: [number, number];
  crossed?: boolean;
  done?: boolean;
  updates?: number;
}

let server: NatsServerHandle;
beforeAll(async () => {
  server = await startNatsServer();
});
afterAll(async () => {
  await server?.dispose();
});

describe('examples/book-consumer', () => {
  it("keeps a book per subject from a connector's updates and prints an uncrossed top of book for each", async () => {
    const child = spawn(
      process.execPath,
      [consumer, '--servers', server.url, '--subject', 'ex.bybit.book.>', '--count', '200'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const lines: ConsumerLine[] = [];
    let pending = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      const complete = pending.split('\n');
      pending = complete.pop() ?? '';
      for (const line of complete) if (line) lines.push(JSON.parse(line) as ConsumerLine);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    await waitFor('the consumer to subscribe', () => stderr.includes('"ready":true'), {
      describe: () => stderr,
    });

    const dir = mkdtempSync(join(tmpdir(), 'mp-book-consumer-'));
    const cli = startCli([
      'run',
      '--venue',
      'bybit',
      '--source',
      'sim',
      '--rate',
      '500',
      '--channels',
      'books',
      '--env',
      'ex',
      '--transport',
      server.url,
      '--data-dir',
      join(dir, 'data'),
      '--duration',
      '20s',
    ]);
    try {
      const first = await Promise.race([exited, cli.exited.then((exit) => ({ cli: exit }))]);
      expect(first, `${stderr}\n${cli.stderr()}`).toBe(0);
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
    const updates = lines.filter((line) => line.done !== true);
    expect(lines.at(-1)).toEqual({ done: true, updates: 200, skippedBeforeSnapshot: 0 });
    expect(updates).toHaveLength(200);
    const tickers = new Set(updates.map((line) => line.ticker));
    expect([...tickers].sort()).toEqual(['BTCUSDT', 'ETHUSDT']);
    // Each symbol's first update is its snapshot: the book is whole from the first line on.
    for (const ticker of tickers)
      expect(updates.find((line) => line.ticker === ticker)?.kind).toBe('snapshot');
    for (const line of updates) {
      expect(line.subject).toBe(`ex.bybit.book.${line.ticker}`);
      expect(line.crossed, JSON.stringify(line)).toBe(false);
      expect(line.bid?.price).toBeGreaterThan(0);
      expect(line.ask?.price).toBeGreaterThan(line.bid?.price ?? 0);
      expect(line.levels?.[0]).toBeGreaterThan(0);
    }
  });
});
