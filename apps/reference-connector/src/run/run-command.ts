/**
 * `marketpipe run`: connect the transport, start the pipeline, show status,
 * and on the end of a replay, `--duration`, Ctrl-C or SIGTERM stop intake,
 * drain the ring, flush, close the transport, then report. The exit code says
 * whether anything was lost (see {@link ExitCode}).
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { PipelineStatus, PipelineSummary } from '@marketpipe/connector';
import type { Transport } from '@marketpipe/middleware';
import type { CliContext, RunningPipeline } from '../cli-context.js';
import { ExitCode } from '../exit-codes.js';
import { describeRunConfig, type RunConfig } from '../options/run-config.js';
import { transportSecrets } from '../options/transport-config.js';
import { createCliLogger, errorFields } from './cli-logger.js';
import type { MetricsServer } from './metrics-server.js';
import { buildRunSummary, type RunSummary, type StopReason } from './run-summary.js';
import { type StatusReporter, startStatusReporter } from './status-reporter.js';
import { StopTrigger } from './stop-trigger.js';
import { formatRunSummary } from './summary-text.js';

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
  const logger = createCliLogger(config.logLevel, context.stderr);
  const trigger = new StopTrigger(context.signals, (signal) => {
    logger.warn({ signal }, 'second signal: exiting without draining');
    context.forceExit(ExitCode.forced);
  });
  for (const option of config.ignored)
    logger.warn({ option }, 'option has no effect with this configuration');
  logger.info(describeRunConfig(config), 'starting');

  const startedAtMs = Date.now();
  let transport: Transport | undefined;
  let pipeline: RunningPipeline | undefined;
  let metrics: MetricsServer | undefined;
  let reporter: StatusReporter | undefined;
  let lastStatus: PipelineStatus | undefined;
  let stopReason: StopReason = 'error';
  let error: { code: string; message: string } | undefined;
  try {
    transport = await trigger.unlessStopped(context.connectTransport(config.transport), closeLate);
    if (transport !== undefined) {
      logger.info({ transport: describeRunConfig(config).transport }, 'transport connected');
      // Not raced against a stop request: a started pipeline is stopped in order (pipeline, then transport).
      pipeline = await context.startPipeline({
        venue: config.venue,
        symbols: config.symbols,
        source: config.source,
        transport,
        env: config.env,
        dataDir: config.dataDir,
        ...(config.parser !== undefined ? { parser: config.parser } : {}),
        ...(config.overflow !== undefined ? { overflow: config.overflow } : {}),
        ...(config.fsync !== undefined ? { fsync: config.fsync } : {}),
        ...(config.ring !== undefined ? { ring: config.ring } : {}),
        logger: logger.child({ component: 'pipeline' }),
      });
    }
    if (pipeline !== undefined) {
      const running = pipeline;
      if (config.metrics !== undefined) {
        // Loaded only when asked for: prom-client costs start-up time every other run would pay.
        const { startMetricsServer } = await import('./metrics-server.js');
        metrics = await startMetricsServer({ ...config.metrics, status: () => running.status() });
        logger.info({ url: metrics.url }, 'metrics endpoint listening');
      }
      if (config.durationMs !== undefined) trigger.startTimer(config.durationMs);
      reporter = startStatusReporter({
        stdout: context.stdout,
        logger,
        intervalMs: config.statusIntervalMs,
        status: () => {
          lastStatus = running.status();
          return lastStatus;
        },
      });
      stopReason = await Promise.race([
        trigger.requested,
        running.done.then((): StopReason => 'source-finished'),
      ]);
    } else {
      stopReason = trigger.stopRequested ?? 'error';
    }
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
  if (transport !== undefined) {
    try {
      await transport.close();
    } catch (err) {
      logger.warn({ error: errorFields(err, secrets) }, 'transport did not close cleanly');
    }
  }
  await metrics?.close();
  trigger.dispose();

  const summary = buildRunSummary({
    config,
    startedAtMs,
    stoppedAtMs: Date.now(),
    stopReason,
    final,
    lastStatus,
    error,
  });
  context.stdout.write(formatRunSummary(summary));
  if (config.jsonSummary !== undefined) {
    try {
      await writeJsonSummary(config.jsonSummary, summary);
    } catch (err) {
      logger.error(
        { error: errorFields(err, secrets), path: config.jsonSummary },
        'could not write the JSON summary',
      );
      return ExitCode.error;
    }
  }
  logger.info(
    { exitCode: summary.exitCode, outcome: summary.outcome, lossReasons: summary.lossReasons },
    'stopped',
  );
  return summary.exitCode;
}

function closeLate(transport: Transport): void {
  void transport.close();
}

/** Writes the summary atomically (temp file + rename), so a reader never sees half a JSON document. */
export async function writeJsonSummary(path: string, summary: RunSummary): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(summary, null, 2)}\n`);
  await rename(temporary, path);
}
