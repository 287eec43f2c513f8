/**
 * Where the NATS path's time goes, per message and per component, measured in ways the machine's load does not
 * move much (issue 17): CPU time on-CPU per thread (Linux schedstat, ns) of the publishing process and of
 * nats-server, and optionally instructions of the publishing process under callgrind. Each case runs in its own
 * process: `W` warm-up messages, then `N` measured ones, published in chunks of 1000 per event-loop turn and
 * waited for (PING/PONG for core NATS, every acknowledgement for JetStream).
 *
 *   node dist/nats-cost.js                       # CPU ns/msg per case and component, all cases
 *   node dist/nats-cost.js --callgrind           # plus instructions/msg (valgrind, ~1 min per case)
 *   node dist/nats-cost.js --callgrind --cases bare-v3-trades,pipeline-nats   # only these cases
 *   node dist/nats-cost.js --case pipeline-nats --count 20000   # one case, prints its JSON line
 *   node dist/nats-cost.js --case pipeline-nats --threads        # plus each thread's CPU, sleeps, preemptions
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InMemoryTransport, NatsTransport, type Transport } from '@marketpipe/middleware';
import { JetStreamTransport } from '@marketpipe/middleware/transport';
import { launchNatsServer } from '@marketpipe/test-support/nats-server';
import { connect as connectV3 } from '@nats-io/transport-node';
import { connect as connectV2 } from 'nats';
import { startMarketpipeStack } from './fixtures/marketpipe-stack.js';
import { venueMessages } from './fixtures/venue-messages.js';
import {
  type ThreadSample,
  threadCpuNs,
  threadSampleDeltas,
  threadSamples,
  threadsCpuNs,
} from './harness/thread-cpu.js';

const CHUNK = 1_000;
const PAYLOAD_BYTES = 64;
const MESSAGE_COUNT = 4096;
const MASK = MESSAGE_COUNT - 1;

/** One way of publishing; `finish` resolves once everything published is with the server (or stored). */
interface CostCase {
  send(i: number): void;
  /** The pipeline's flusher threads (worker and fsync thread); absent for the bare cases. */
  flusherThreads?: readonly number[];
  finish(): Promise<void>;
  close(): Promise<void>;
}

/** The cases, in report order, with what each adds over the previous one. */
export const COST_CASES = {
  'bare-v2': 'bare nats.js v2 loop, 64 B payload (a fresh array per message)',
  'bare-v3': 'bare nats.js v3 loop, 64 B payload (the client marketpipe uses)',
  'bare-v3-trades':
    "bare nats.js v3 loop, the pipeline's encoded trades on its subjects (built once, never copied)",
  transport: 'NatsTransport, 64 B payload',
  'pipeline-memory': 'full pipeline (parse, encode, ring, flusher) -> InMemoryTransport',
  'pipeline-nats': 'full pipeline -> NatsTransport',
  'pipeline-jetstream': 'full pipeline -> JetStreamTransport (R1, file store)',
  'pipeline-jetstream-memory':
    'full pipeline -> JetStreamTransport (R1, memory store: the server without its disk)',
} as const;
type CaseName = keyof typeof COST_CASES;

const messages = (): Uint8Array[] => venueMessages('binance', MESSAGE_COUNT).bytes;

/** The trades the pipeline would publish for `messages()`, with their subjects, captured once. */
async function encodedTrades(): Promise<{ subjects: string[]; payloads: Uint8Array[] }> {
  const memory = new InMemoryTransport();
  const subjects: string[] = [];
  const payloads: Uint8Array[] = [];
  memory.subscribe('bench.>', (payload, subject) => {
    subjects.push(subject);
    payloads.push(payload.slice());
  });
  const stack = await startMarketpipeStack({
    venue: 'binance',
    transport: memory,
    ringSlots: 1 << 13,
    slotSize: 256,
  });
  for (const message of messages()) stack.runner.onMessage(message);
  await stack.close();
  return { subjects, payloads };
}

async function pipelineCase(
  transport: Transport,
  env: string,
  finish: () => Promise<void>,
): Promise<CostCase> {
  const stack = await startMarketpipeStack({
    venue: 'binance',
    transport,
    env,
    ringSlots: 1 << 16,
    slotSize: 256,
  });
  const bytes = messages();
  const onMessage = stack.runner.onMessage;
  return {
    send: (i) => onMessage(bytes[i & MASK]!),
    flusherThreads: stack.flusherThreads,
    // Not waiting for the flusher: its 1 ms polling would add main-thread work that follows the wall clock (and
    // valgrind's clock is erratic); what it has left after a round is a small part of the round.
    finish,
    async close() {
      await stack.close();
      await transport.close();
    },
  };
}

async function makeCase(name: CaseName, url: string): Promise<CostCase> {
  switch (name) {
    case 'bare-v2':
    case 'bare-v3': {
      const nc =
        name === 'bare-v2'
          ? await connectV2({ servers: url, noAsyncTraces: true })
          : await connectV3({ servers: url, noAsyncTraces: true });
      return {
        send: () => nc.publish('bench.raw.bare', new Uint8Array(PAYLOAD_BYTES)),
        finish: () => nc.flush(),
        close: () => nc.close(),
      };
    }
    case 'bare-v3-trades': {
      const { subjects, payloads } = await encodedTrades();
      const nc = await connectV3({ servers: url, noAsyncTraces: true });
      const mask = payloads.length - 1;
      if ((payloads.length & mask) !== 0)
        throw new Error(`trade count ${payloads.length} is not a power of two`);
      return {
        // The arrays are never written again, so the loop can hand nats.js the same ones over and over.
        send: (i) => nc.publish(subjects[i & mask]!, payloads[i & mask]!),
        finish: () => nc.flush(),
        close: () => nc.close(),
      };
    }
    case 'transport': {
      const transport = await NatsTransport.connect({ servers: url });
      const target = transport.prepare('bench.raw.transport');
      const payload = new Uint8Array(PAYLOAD_BYTES);
      return {
        send: () => transport.publish(target, payload),
        finish: () => transport.flush(),
        close: () => transport.close(),
      };
    }
    case 'pipeline-memory': {
      const transport = new InMemoryTransport();
      return pipelineCase(transport, 'bench', () => transport.flush());
    }
    case 'pipeline-nats': {
      const transport = await NatsTransport.connect({ servers: url });
      return pipelineCase(transport, 'bench', () => transport.flush());
    }
    case 'pipeline-jetstream':
    case 'pipeline-jetstream-memory': {
      const transport = await JetStreamTransport.connect(
        { servers: url },
        {
          stream: {
            name: 'COST',
            subjects: ['benchjs.>'],
            storage: name === 'pipeline-jetstream' ? 'file' : 'memory',
          },
          pending: { maxMessages: 1_000_000, maxBytes: 512 * 1024 * 1024 },
        },
      );
      return pipelineCase(transport, 'benchjs', () => transport.flush());
    }
  }
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function publish(costCase: CostCase, from: number, count: number): Promise<void> {
  for (let sent = from; sent < from + count; ) {
    const end = Math.min(from + count, sent + CHUNK);
    for (; sent < end; sent++) costCase.send(sent);
    await turn();
  }
  await costCase.finish();
}

/** Result of one case run: ns of CPU per measured message, per component. */
export interface CaseCost {
  case: CaseName;
  count: number;
  clientMainNs: number;
  clientOtherThreadsNs: number;
  /** The part of `clientOtherThreadsNs` spent by the flusher's worker and fsync thread (0 without one). */
  flusherNs: number;
  serverNs: number;
  /**
   * This process's threads that ran during the measured messages, busiest first: on-CPU ns per message and
   * times per 1000 messages each one slept (voluntary switches) or was preempted. Only with `--threads`.
   */
  threads?: { tid: number; ns: number; sleepsPerK: number; preemptionsPerK: number }[];
}

function threadDeltas(before: ThreadSample[], after: ThreadSample[], count: number): CaseCost['threads'] {
  return threadSampleDeltas(before, after)
    .map((t) => ({
      tid: t.tid,
      ns: Math.round(t.ns / count),
      sleepsPerK: Math.round((1000 * t.voluntarySwitches) / count),
      preemptionsPerK: Math.round((1000 * t.involuntarySwitches) / count),
    }))
    .filter((t) => t.ns > 0)
    .sort((a, b) => b.ns - a.ns);
}

async function runCase(name: CaseName, warmup: number, count: number, perThread = false): Promise<CaseCost> {
  const storeDir = mkdtempSync(join(tmpdir(), 'marketpipe-cost-'));
  const { child, port } = await launchNatsServer(['-a', '127.0.0.1', '-js', '-sd', storeDir, '-p', '-1']);
  try {
    const costCase = await makeCase(name, `nats://127.0.0.1:${port}`);
    await publish(costCase, 0, warmup);
    const threads0 = perThread ? threadSamples(process.pid) : [];
    const flusherThreads = costCase.flusherThreads ?? [];
    const client0 = threadCpuNs(process.pid);
    const flusher0 = threadsCpuNs(process.pid, flusherThreads);
    const server0 = threadCpuNs(child.pid!);
    await publish(costCase, warmup, count);
    const client1 = threadCpuNs(process.pid);
    const flusher1 = threadsCpuNs(process.pid, flusherThreads);
    const server1 = threadCpuNs(child.pid!);
    const threads1 = perThread ? threadSamples(process.pid) : [];
    await costCase.close();
    const per = (a: number, b: number): number => (count === 0 ? 0 : (b - a) / count);
    const cost: CaseCost = {
      case: name,
      count,
      clientMainNs: per(client0.main, client1.main),
      clientOtherThreadsNs: per(client0.others, client1.others),
      flusherNs: per(flusher0, flusher1),
      serverNs: per(server0.main + server0.others, server1.main + server1.others),
    };
    if (perThread && count > 0) cost.threads = threadDeltas(threads0, threads1, count);
    return cost;
  } finally {
    child.kill('SIGKILL');
    rmSync(storeDir, { recursive: true, force: true });
  }
}

function argValue(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

/**
 * Instructions callgrind counted for one run of this script as `--case name --count count`: the main thread, and
 * all other threads together (V8 GC and compiler, the flusher worker, libuv). Only the main thread's count is
 * steady: the flusher worker spins and naps by the clock, and valgrind runs one thread at a time, so its count
 * follows wall time, not messages.
 */
function callgrindInstructions(
  name: CaseName,
  warmup: number,
  count: number,
): { main: number; others: number } {
  const outDir = mkdtempSync(join(tmpdir(), 'marketpipe-callgrind-'));
  try {
    const run = spawnSync(
      'valgrind',
      [
        '--tool=callgrind',
        '--separate-threads=yes',
        `--callgrind-out-file=${join(outDir, 'callgrind.out')}`,
        process.execPath,
        fileURLToPath(import.meta.url),
        '--case',
        name,
        '--warmup',
        String(warmup),
        '--count',
        String(count),
      ],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    if (run.status !== 0) {
      throw new Error(`callgrind run of ${name} failed (${run.status}): ${run.stderr.slice(-2000)}`);
    }
    // One file per thread, `callgrind.out-<thread>`; thread 1 is the main thread.
    let main = 0;
    let others = 0;
    for (const file of readdirSync(outDir)) {
      const totals = /^(?:totals|summary): (\d+)/m.exec(readFileSync(join(outDir, file), 'utf8'));
      if (totals === null) continue;
      if (file.endsWith('-01')) main += Number(totals[1]);
      else others += Number(totals[1]);
    }
    if (main === 0) throw new Error(`callgrind run of ${name} left no main-thread totals in ${outDir}`);
    return { main, others };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

function fmt(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const warmup = Number(argValue(args, '--warmup') ?? 20_000);
  const count = Number(argValue(args, '--count') ?? 200_000);
  const single = argValue(args, '--case') as CaseName | undefined;
  if (single !== undefined) {
    if (!(single in COST_CASES))
      throw new Error(`unknown case ${single}: ${Object.keys(COST_CASES).join(', ')}`);
    console.log(JSON.stringify(await runCase(single, warmup, count, args.includes('--threads'))));
    return;
  }
  const withCallgrind = args.includes('--callgrind');
  const callgrindCount = Number(argValue(args, '--callgrind-count') ?? 20_000);
  console.log(
    `case | client main thread ns/msg | client other threads ns/msg | of which the flusher | nats-server ns/msg${withCallgrind ? ' | main thread instructions/msg | other threads instructions/msg (clock-driven, noisy)' : ''}`,
  );
  const only = argValue(args, '--cases')?.split(',');
  for (const name of (only ?? Object.keys(COST_CASES)) as CaseName[]) {
    if (!(name in COST_CASES)) throw new Error(`unknown case ${name}: ${Object.keys(COST_CASES).join(', ')}`);
    const cost = await runCase(name, warmup, count);
    let instructions = '';
    if (withCallgrind) {
      const full = callgrindInstructions(name, warmup, callgrindCount);
      const base = callgrindInstructions(name, warmup, 0);
      instructions = ` | ${fmt((full.main - base.main) / callgrindCount)} | ${fmt((full.others - base.others) / callgrindCount)}`;
    }
    console.log(
      `${name} | ${fmt(cost.clientMainNs)} | ${fmt(cost.clientOtherThreadsNs)} | ${fmt(cost.flusherNs)} | ${fmt(cost.serverNs)}${instructions}`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
