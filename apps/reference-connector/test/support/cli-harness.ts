/**
 * In-process doubles for running `main()` in tests: collecting output
 * streams, a signal source the test fires, and a scriptable pipeline that
 * follows the connector's `Pipeline` contract.
 */
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import type { PipelineOptions, PipelineStatus, PipelineSummary } from '@marketpipe/connector';
import type { CliContext, RunningPipeline, SignalSource, StopSignal } from '../../src/cli-context.js';

/** A writable that keeps everything written to it. */
export class CollectingOutput extends Writable {
  readonly chunks: Buffer[] = [];
  isTTY: boolean | undefined;
  columns: number | undefined;

  constructor(options: { tty?: boolean; columns?: number } = {}) {
    super();
    this.isTTY = options.tty;
    this.columns = options.columns;
  }

  override _write(
    chunk: Buffer | string,
    _encoding: BufferEncoding,
    done: (error?: Error | null) => void,
  ): void {
    this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    done();
  }

  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }

  get text(): string {
    return this.bytes.toString('utf8');
  }

  /** The JSON log lines written so far. */
  get logs(): Array<Record<string, unknown>> {
    return this.text
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

/** Signals fired by the test. */
export class FakeSignals implements SignalSource {
  private readonly emitter = new EventEmitter();

  on(signal: StopSignal, listener: () => void): void {
    this.emitter.on(signal, listener);
  }

  off(signal: StopSignal, listener: () => void): void {
    this.emitter.off(signal, listener);
  }

  fire(signal: StopSignal): void {
    this.emitter.emit(signal);
  }

  listenerCount(signal: StopSignal): number {
    return this.emitter.listenerCount(signal);
  }
}

/** A status with every counter at 0, as a freshly started pipeline reports. */
export function emptyStatus(): PipelineStatus {
  return {
    state: 'running',
    uptimeMs: 1000,
    received: 0,
    bytesReceived: 0,
    trades: 0,
    nonTrade: 0,
    nonTradeByKind: {},
    parseErrors: 0,
    gaps: { events: 0, missing: 0, late: 0, duplicates: 0, bySymbol: {} },
    drops: {},
    latency: { count: 0, p50: 0, p99: 0, p999: 0, max: 0 },
    ring: { fill: 0, overflowQueued: 0 },
    recorder: { state: 'running', recordsWritten: 0, bytesWritten: 0, setAsideBytes: 0, unrecoveredBytes: 0 },
    transport: { status: 'connected', published: 0, dropped: 0 },
    source: {
      state: 'open',
      reconnects: 0,
      connections: 0,
      errors: 0,
      damagedBytes: 0,
      skippedLines: 0,
      waitedMs: 0,
    },
    tradesPerSymbol: {},
  };
}

/** A pipeline double: its status and final summary are what the test sets. */
export class FakePipeline implements RunningPipeline {
  current: PipelineStatus = emptyStatus();
  final: Partial<PipelineSummary> = {};
  stopCalls = 0;
  stopError: Error | undefined;
  readonly done: Promise<void>;
  recorderReady: Promise<void> = Promise.resolve();
  finish!: () => void;
  fail!: (err: Error) => void;

  constructor(readonly options: PipelineOptions) {
    this.done = new Promise<void>((resolve, reject) => {
      this.finish = resolve;
      this.fail = reject;
    });
  }

  status(): PipelineStatus {
    return this.current;
  }

  async stop(): Promise<PipelineSummary> {
    this.stopCalls++;
    if (this.stopError !== undefined) throw this.stopError;
    this.current = { ...this.current, state: 'stopped' };
    return this.summary();
  }

  summary(): PipelineSummary {
    return { ...this.current, recordsWritten: this.current.recorder.recordsWritten, lost: 0, ...this.final };
  }
}

/** Everything a test needs to drive `main()` and look at what it did. */
export interface Harness {
  context: Partial<CliContext>;
  stdout: CollectingOutput;
  stderr: CollectingOutput;
  signals: FakeSignals;
  pipelines: FakePipeline[];
  forcedExits: number[];
  /** Resolves with the pipeline once `run` has started it. */
  started: Promise<FakePipeline>;
}

/** A harness whose pipeline factory builds {@link FakePipeline}s; `setup` may script each one. */
export function createHarness(
  options: {
    env?: Record<string, string>;
    cwd?: string;
    tty?: boolean;
    setup?: (pipeline: FakePipeline) => void;
    connectTransport?: CliContext['connectTransport'];
    /** Use the connector's real `Pipeline.start` instead of {@link FakePipeline}. */
    realPipeline?: boolean;
  } = {},
): Harness {
  const stdout = new CollectingOutput({ tty: options.tty ?? false, columns: 200 });
  const stderr = new CollectingOutput();
  const signals = new FakeSignals();
  const pipelines: FakePipeline[] = [];
  const forcedExits: number[] = [];
  let announce!: (pipeline: FakePipeline) => void;
  const started = new Promise<FakePipeline>((resolve) => {
    announce = resolve;
  });
  const context: Partial<CliContext> = {
    stdout,
    stderr,
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    signals,
    forceExit: (code) => forcedExits.push(code),
    ...(options.realPipeline === true
      ? {}
      : {
          startPipeline: async (pipelineOptions: PipelineOptions) => {
            const pipeline = new FakePipeline(pipelineOptions);
            options.setup?.(pipeline);
            pipelines.push(pipeline);
            announce(pipeline);
            return pipeline;
          },
        }),
    ...(options.connectTransport !== undefined ? { connectTransport: options.connectTransport } : {}),
  };
  return { context, stdout, stderr, signals, pipelines, forcedExits, started };
}
