export type { CliContext, CliOutput, RunningPipeline, SignalSource, StopSignal } from './cli-context.js';
export { connectTransport, processContext } from './cli-context.js';
export { ConfigFileError, InvalidOptionError, RecordingsNotFoundError } from './cli-errors.js';
export { ExitCode } from './exit-codes.js';
export { main } from './main.js';
export { formatDuration, parseDuration } from './options/duration.js';
export type { RunConfig } from './options/run-config.js';
export type { TransportConfig } from './options/transport-config.js';
export type { FileCheck, SequenceProblem, VenueCheck, VerifyReport } from './records/verify-recordings.js';
export { verifyRecordings } from './records/verify-recordings.js';
export { PipelineMetrics } from './run/pipeline-metrics.js';
export type { RunSummary, StopReason } from './run/run-summary.js';
export type { TradeJson } from './subscribe/trade-line.js';
export {
  applyV8Tuning,
  INLINING_BUDGET_BYTES,
  V8_TUNING_ENV_VAR,
  v8TuningFlags,
} from './v8-tuning.js';
