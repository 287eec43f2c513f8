/**
 * `PipelineOptions.cpus`: the hot path's thread on CPUs of its own within the process, the recorder's threads
 * elsewhere. The placing runs in a child process on the built package (cpu-placement-child.mjs), which reports every thread's allowed
 * CPUs from /proc. Needs Linux and at least two CPUs (the CI machines have two): anything less fails, it does not
 * skip.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from '@marketpipe/middleware/errors';
import { afterAll, describe, expect, it } from 'vitest';
import { DiskFlusher } from '../../src/flusher/disk-flusher.js';
import { callingThreadCpus, formatCpuList, planCpuPlacement } from '../../src/placement/cpu-placement.js';
import { Pipeline } from '../../src/runner/pipeline.js';

const CHILD = fileURLToPath(new URL('./cpu-placement-child.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'cpu-placement-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface ChildReport {
  pid: number;
  threads: Record<string, number[]>;
  placement: { intake: number[]; recorder: number[] } | undefined;
  received: number;
  recorded: number;
  lost: number;
}

let runs = 0;
function runChild(cpus: unknown): ChildReport {
  const out = execFileSync(process.execPath, [CHILD, JSON.stringify(cpus), join(dir, `run-${runs++}`)], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return JSON.parse(out.trim().split('\n').pop() as string) as ChildReport;
}

describe('CPU placement (Linux, two or more CPUs)', () => {
  const all = callingThreadCpus();

  it('runs where the test can place threads: Linux, at least two CPUs', () => {
    expect(process.platform).toBe('linux');
    expect(all.length, `this thread may use CPUs ${formatCpuList(all)}`).toBeGreaterThanOrEqual(2);
    expect(availableParallelism()).toBeGreaterThanOrEqual(2);
  });

  it('pins the hot path alone on its CPU and moves every other thread of the process off it', () => {
    const intake = all[all.length - 1] as number;
    const rest = all.filter((cpu) => cpu !== intake);
    const report = runChild({ intake: [intake] });
    expect(report.placement).toEqual({ intake: [intake], recorder: rest });
    expect(report.threads[String(report.pid)]).toEqual([intake]);
    const others = Object.entries(report.threads).filter(([tid]) => tid !== String(report.pid));
    // Node's and V8's helper threads, libuv's pool, the flusher worker and its fsync thread.
    expect(others.length).toBeGreaterThanOrEqual(6);
    for (const [tid, cpus] of others) expect(cpus, `thread ${tid}`).toEqual(rest);
    expect(report.received).toBeGreaterThan(0);
    expect(report.recorded).toBe(report.received);
    expect(report.lost).toBe(0);
  });

  it('puts the recorder where it is told, apart from the threads it moved', () => {
    // The recorder may share the intake CPU when asked: then only its two threads (the flusher worker and its
    // fsync thread) carry that CPU besides the hot path's thread.
    const intake = all[0] as number;
    const report = runChild({ intake: [intake], recorder: all });
    expect(report.placement).toEqual({ intake: [intake], recorder: all });
    const withIntake = Object.entries(report.threads).filter(
      ([tid, cpus]) => tid !== String(report.pid) && cpus.includes(intake),
    );
    expect(withIntake.map(([, cpus]) => cpus)).toEqual([all, all]);
    expect(report.recorded).toBe(report.received);
  });

  it('refuses a CPU list it cannot honour before touching the data dir', async () => {
    const outside = Math.max(...all) + 1;
    const start = (cpus: unknown) =>
      Pipeline.start({
        venue: 'binance',
        symbols: ['BTCUSDT'],
        source: { kind: 'sim', rate: 100 },
        transport: { publish() {} } as never,
        env: 'test',
        dataDir: join(dir, 'refused'),
        cpus: cpus as never,
      });
    for (const cpus of [null, { intake: [] }, { intake: [-1] }, { intake: [0.5] }, { intake: [outside] }]) {
      await expect(start(cpus), JSON.stringify(cpus)).rejects.toThrow(InvalidArgumentError);
    }
    await expect(start({ intake: [all[0]], recorder: [outside] })).rejects.toThrow(
      `cpus.recorder: CPU ${outside} is not one this process may use (${formatCpuList(all)})`,
    );
    expect(callingThreadCpus()).toEqual(all);
    expect(existsSync(join(dir, 'refused'))).toBe(false);
  });

  it('works out the recorder from what the thread may use', () => {
    const [first] = all as [number];
    expect(planCpuPlacement({ intake: [first, first] })).toEqual({
      intake: [first],
      recorder: all.filter((cpu) => cpu !== first),
    });
    // Given every CPU, the hot path shares them with the recorder rather than leave it none.
    expect(planCpuPlacement({ intake: [...all].reverse() })).toEqual({ intake: all, recorder: all });
  });

  it("refuses a DiskFlusher's CPUs it cannot honour", async () => {
    await expect(
      DiskFlusher.start({ ringPath: join(dir, 'none.ring'), dataDir: dir, venue: 'binance', cpus: [] }),
    ).rejects.toThrow(InvalidArgumentError);
  });
});
