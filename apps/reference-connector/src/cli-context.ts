/**
 * Everything the CLI touches outside itself: output streams, environment,
 * signals, process exit, and the factories for the pipeline and transport.
 * `main` takes it as a parameter so tests run commands in-process with fake
 * streams, fake signals and a fake pipeline.
 */
import type { Writable } from 'node:stream';
import type { PipelineOptions, PipelineStatus, PipelineSummary } from '@marketpipe/connector';
import type { Transport } from '@marketpipe/middleware';
import type { NatsConnectControl } from '@marketpipe/middleware/transport';
import type { TransportConfig } from './options/transport-config.js';

/** The signals `run` and `subscribe` stop on. */
export type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

/** Where stop signals come from (`process` by default). */
export interface SignalSource {
  on(signal: StopSignal, listener: () => void): unknown;
  off(signal: StopSignal, listener: () => void): unknown;
}

/** The part of the connector's `Pipeline` that `run` uses; tests pass a fake. */
export interface RunningPipeline {
  status(): PipelineStatus;
  readonly done: Promise<void>;
  /** Settles when the recorder has started; rejects when it cannot (see `Pipeline.recorderReady`). */
  readonly recorderReady: Promise<void>;
  stop(): Promise<PipelineSummary>;
  /** The report again, after the transport closed: its close counts what it still held (see `Pipeline.summary`). */
  summary(): PipelineSummary;
}

/** A standard output: a terminal (`isTTY`, `columns`) or not. */
export type CliOutput = Writable & { isTTY?: boolean; columns?: number };

/** The CLI's view of the outside world; see {@link processContext} for the real one. */
export interface CliContext {
  /** Status line, summaries, `cat` and `subscribe` output. */
  stdout: CliOutput;
  /** Structured logs and error messages (readable lines on a terminal, JSON lines elsewhere). */
  stderr: CliOutput;
  /** Environment variables (`MARKETPIPE_*`). */
  env: Readonly<Record<string, string | undefined>>;
  /** Folder relative paths are resolved against. */
  cwd: string;
  /** Ctrl-C, SIGTERM and SIGHUP. */
  signals: SignalSource;
  /** Ends the process at once (second Ctrl-C). */
  forceExit: (code: number) => void;
  /** Starts a pipeline; default `Pipeline.start`. */
  startPipeline: (options: PipelineOptions) => Promise<RunningPipeline>;
  /**
   * Opens the transport `config` names; default an `InMemoryTransport` or `NatsTransport.connect`.
   * `control` aborts a NATS connect that is still trying and reports each failed attempt.
   */
  connectTransport: (config: TransportConfig, control?: NatsConnectControl) => Promise<Transport>;
}

/**
 * Opens the configured transport: in-memory, or NATS with the given servers, auth and TLS, trying until the
 * connection's `firstConnectTimeoutMs`. A JetStream stream that does not capture `required` is refused.
 */
export async function connectTransport(
  config: TransportConfig,
  control: NatsConnectControl = {},
): Promise<Transport> {
  // Loaded here, not at start-up: `--help`, `cat` and `verify` never need a transport.
  const { InMemoryTransport, JetStreamTransport, NatsTransport } = await import(
    '@marketpipe/middleware/transport'
  );
  if (config.kind === 'memory') return new InMemoryTransport();
  if (config.jetstream) {
    return JetStreamTransport.connect(config.connection, {
      stream: { name: config.jetstream.stream, subjects: config.jetstream.subjects, storage: 'file' },
      requireSubjects: config.jetstream.required,
      connect: control,
    });
  }
  return NatsTransport.connect(config.connection, { connect: control });
}

/**
 * The real process: stdout/stderr, `process.env`, `process.on` signals,
 * `process.exit`, `Pipeline.start` and {@link connectTransport}.
 */
export function processContext(): CliContext {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    signals: process,
    forceExit: (code) => process.exit(code),
    startPipeline: async (options) => (await import('@marketpipe/connector')).Pipeline.start(options),
    connectTransport,
  };
}
