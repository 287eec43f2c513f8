/**
 * `marketpipe run`: connect the transport, start the pipeline, show status,
 * and on the end of a replay, `--duration`, Ctrl-C or SIGTERM stop intake,
 * drain the ring, flush, close the transport, then report. The exit code says
 * whether anything was lost (see {@link ExitCode}).
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import type { PipelineStatus, PipelineSummary } from '@marketpipe/connector';
import type { Transport } from '@marketpipe/middleware';
import { LatencyRecorder } from '@marketpipe/middleware/latency';
import type { CliContext, RunningPipeline } from '../cli-context.js';
import { ExitCode } from '../exit-codes.js';
import { describeRunConfig, type RunConfig } from '../options/run-config.js';
import { describeTransport, transportSecrets } from '../options/transport-config.js';
import { createCliLogger, errorFields } from './cli-logger.js';
import type { MetricsServer } from './metrics-server.js';
import { chooseLogFormat } from './pretty-log.js';
import { buildRunSummary, type RunSummary, type StopReason } from './run-summary.js';
import { type StatusReporter, startStatusReporter } from './status-reporter.js';
import { StopTrigger } from './stop-trigger.js';
import { formatRunSummary } from './summary-text.js';
import { TerminalStatus } from './terminal-status.js';
import { connectUnlessStopped, TransportConnectionLog } from './transport-connection-log.js';

/**
 * Runs the connector until it is told to stop and resolves to the exit code:
 * 0 clean, 1 error, 3 something lost or dropped.
 *
 * @example
 * ```ts
 * const code = await runCommand(config, processContext());
 * ```
 */
export async function runCommand(config: RunConfig, context: CliContext): Promise<number> {
  const secrets = transportSecrets(config.transport);
  const terminal = new TerminalStatus(context.stdout);
  const logger = createCliLogger(config.logLevel, context.stderr, {
    format: chooseLogFormat(config.logFormat, context.stderr),
    color: context.stderr.isTTY === true && context.env.NO_COLOR === undefined,
    // Logs share the screen with the status line only when both streams are the terminal.
    terminalStatus: context.stdout.isTTY === true && context.stderr.isTTY === true ? terminal : undefined,
  });
  const trigger = new StopTrigger(context.signals, (signal) => {
    logger.warn({ signal }, 'second signal: exiting without draining');
    context.forceExit(ExitCode.forced);
  });
  for (const option of config.ignored)
    logger.warn({ option }, 'option has no effect with this configuration');
  logger.info(describeRunConfig(config), 'starting');

  const startedAtMs = Date.now();
  // The hot path records into it for the whole run (the summary's figures); the status line reads intervals of it.
  const latency = new LatencyRecorder();
  let transport: Transport | undefined;
  let pipeline: RunningPipeline | undefined;
  let metrics: MetricsServer | undefined;
  let reporter: StatusReporter | undefined;
  let lastStatus: PipelineStatus | undefined;
  let connectionLog: TransportConnectionLog | undefined;
  let stopReason: StopReason = 'error';
  let error: { code: string; message: string } | undefined;
  // --duration also bounds the wait for the broker; it is re-armed once the pipeline runs, which gets all of it.
  if (config.durationMs !== undefined) trigger.startTimer(config.durationMs);
  try {
    // Bound first, so a port in use fails the run before it connects or takes a message (it used to fail after).
    if (config.metrics !== undefined) {
      // Loaded only when asked for: prom-client costs start-up time every other run would pay.
      const { startMetricsServer } = await import('./metrics-server.js');
      metrics = await startMetricsServer({ ...config.metrics, latency, status: () => pipeline?.status() });
      if (isLoopbackUrl(metrics.url)) logger.info({ url: metrics.url }, 'metrics endpoint listening');
      else {
        logger.warn(
          { url: metrics.url },
          'metrics endpoint listening beyond loopback: anyone who can reach it sees what this host trades',
        );
      }
    }
    if (config.transport.kind === 'nats') {
      logger.info({ transport: describeTransport(config.transport) }, 'connecting to NATS');
    }
    transport = await connectUnlessStopped({
      context,
      config: config.transport,
      trigger,
      logger,
      secrets,
    });
    if (transport === undefined) {
      // Stopped before the broker answered: nothing was published, which is a failed run, not a clean one.
      error = {
        code: 'MP_ERR_TRANSPORT_CONNECT',
        message: `could not connect to ${describeTransport(config.transport)} before the stop (${trigger.stopRequested})`,
      };
      logger.error({ error }, 'run failed');
    } else {
      trigger.clearTimer();
      logger.info({ transport: describeRunConfig(config).transport }, 'transport connected');
      connectionLog = new TransportConnectionLog(transport, logger);
      // Not raced against a stop request: a started pipeline is stopped in order (pipeline, then transport).
      pipeline = await context.startPipeline({
        latency,
        venue: config.venue,
        symbols: config.symbols,
        allowUnlistedSymbols: config.allowUnlistedSymbols,
        source: config.source,
        channels: config.channels,
        depth: config.depth,
        ...(config.bookSnapshotUrl !== undefined || config.bookSnapshotIntervalMs !== undefined
          ? {
              books: {
                ...(config.bookSnapshotUrl !== undefined ? { snapshotUrl: config.bookSnapshotUrl } : {}),
                ...(config.bookSnapshotIntervalMs !== undefined
                  ? { snapshotIntervalMs: config.bookSnapshotIntervalMs }
                  : {}),
              },
            }
          : {}),
        transport,
        env: config.env,
        dataDir: config.dataDir,
        ...(config.parser !== undefined ? { parser: config.parser } : {}),
        ...(config.overflow !== undefined ? { overflow: config.overflow } : {}),
        ...(config.fsync !== undefined ? { fsync: config.fsync } : {}),
        ...(config.ring !== undefined ? { ring: config.ring } : {}),
        ...(config.cpus !== undefined ? { cpus: config.cpus } : {}),
        ...(config.stopFlushTimeoutMs !== undefined ? { stopFlushTimeoutMs: config.stopFlushTimeoutMs } : {}),
        logger: logger.child({ component: 'pipeline' }),
      });
    }
    if (pipeline !== undefined) {
      const running = pipeline;
      if (config.durationMs !== undefined && trigger.stopRequested === undefined) {
        trigger.startTimer(config.durationMs);
      }
      reporter = startStatusReporter({
        stdout: context.stdout,
        terminal,
        logger,
        intervalMs: config.statusIntervalMs,
        latency,
        status: () => {
          lastStatus = running.status();
          return lastStatus;
        },
      });
      stopReason = await Promise.race([
        trigger.requested,
        running.done.then((): StopReason => 'source-finished'),
        // Intake starts while the recorder boots; one that cannot start fails the run, as it did from start.
        running.recorderReady.then(() => new Promise<never>(() => {})),
      ]);
    } else {
      stopReason = trigger.stopRequested ?? 'error';
    }
    // Before the log line, so that the status line is not drawn again below it.
    reporter?.stop();
    logger.info({ reason: stopReason }, 'stopping: draining the ring and flushing');
  } catch (err) {
    error = errorFields(err, secrets);
    logger.error({ error }, 'run failed');
  }

  reporter?.stop();
  let final: PipelineSummary | undefined;
  if (pipeline !== undefined) {
    try {
      lastStatus = pipeline.status();
      final = await pipeline.stop();
    } catch (err) {
      error ??= errorFields(err, secrets);
      logger.error({ error: errorFields(err, secrets) }, 'pipeline did not stop cleanly');
    }
  }
  connectionLog?.stop();
  if (transport !== undefined) {
    try {
      await transport.close();
    } catch (err) {
      logger.warn({ error: errorFields(err, secrets) }, 'transport did not close cleanly');
    }
  }
  // Closing counts what the transport still held (a broker down at the stop): this run lost it.
  if (final !== undefined && pipeline !== undefined) final = pipeline.summary();
  await metrics?.close();
  trigger.dispose();

  const input = { config, startedAtMs, stoppedAtMs: Date.now(), stopReason, final, lastStatus, error };
  let summary = buildRunSummary(input);
  if (config.jsonSummary !== undefined) {
    try {
      await writeJsonSummary(config.jsonSummary, summary);
    } catch (err) {
      const failure = errorFields(err, secrets);
      logger.error({ error: failure, path: config.jsonSummary }, 'could not write the JSON summary');
      // The text summary names the exit code the process ends with: 1 now.
      summary = buildRunSummary({ ...input, error: error ?? failure });
    }
  }
  logger.info(
    { exitCode: summary.exitCode, outcome: summary.outcome, lossReasons: summary.lossReasons },
    'stopped',
  );
  // Last, so that the summary and its exit code are the last lines a person sees.
  context.stdout.write(formatRunSummary(summary));
  return summary.exitCode;
}

function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname;
  return host.startsWith('127.') || host === '[::1]' || host.startsWith('[::ffff:127.');
}

/**
 * Writes the summary atomically (temp file + rename), so a reader never sees half a JSON document. The folder
 * must exist.
 */
export async function writeJsonSummary(path: string, summary: RunSummary): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, `${JSON.stringify(summary, null, 2)}\n`);
    await rename(temporary, path);
  } catch (err) {
    // No temporary left behind beside the summary that could not be written.
    await rm(temporary, { force: true });
    throw err;
  }
}
