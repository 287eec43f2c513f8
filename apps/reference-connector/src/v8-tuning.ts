/**
 * The V8 settings the `marketpipe` executable applies to its own process, before any hot code is compiled.
 *
 * **The inlining budget.** V8's optimizing compiler inlines the functions an optimized function calls until their
 * bytecode adds up to a budget (`--max-inlined-bytecode-size-cumulative`, 920 bytes on every supported Node line),
 * in an order of its own (on Node 20, the last calls of a function first). The Binance spot scanner calls 23 small
 * readers per message (~2 500 bytes of bytecode in all): under the default budget on Node 20 the last ten are
 * inlined and the first thirteen (key matches, string ends, the price and size readers) stay calls, once per
 * message each. With 5 000 bytes every reader is inlined on every supported line, in every run, and in the app the
 * replay and the runner's own calls are inlined too. With 3 000 (this setting until 2026-12-07) the readers, the
 * combined stream's two literal heads (199 and 439 bytes of bytecode, 211 and over 460 on Node 26, which so never
 * inlines the longer) and Node 26's chunked decimal readers no longer all fit: which were left out was decided run
 * by run by the order of near-equal call frequencies (Node 26 kept its price reader a call in 13 of 15 runs, Node 22
 * left out one reader in 2 of 52). Measured on a 1M-trade replay (main-thread CPU time, alternating runs), 920 ->
 * 3 000: Node 20 -10%, Node 22 -6%, Node 24 -5%, Node 26 unchanged, hot-path p50 -40 to -80 ns on Node 20-24, the
 * other venues' replays no slower on Node 20, and on Node 26 Bybit -3%, OKX -5%, Coinbase and Kraken +1-2%; 3 000 ->
 * 5 000: main-thread CPU -3% and the run's p50 -25 ns (Node 22) and -35 ns (Node 26), Binance parse -4 to -5% in the
 * bench's step table (docs/design/whole-process.md, "V8's inlining budget"; the heads: docs/design/latency-tail.md, "Literal
 * heads").
 *
 * **No tier-up count.** On Node 24 and later V8 runs a hot function as Maglev code (its mid-tier compiler) before
 * TurboFan, and waits for 10 000 (Node 24) or 16 000 (Node 26) calls before TurboFan: on a live feed at 1 000
 * messages a second the hot path is Maglev code for its first 10-16 s, at a p50 of 1.3-2.5 µs against 1.0-1.3 µs
 * once in TurboFan. From 2026-12-06 this executable set `--invocation-count-for-turbofan=1000`, which brought the hot
 * path to TurboFan within 1-2 s; it no longer does. The count applies to every function of the process, Node's
 * stream, timer and socket internals and nats.js included, and with it the live path at 1 000 msg/s had 2-3 times
 * the naive relay's stalls (messages over 1 ms from the venue's send to the subscriber): 46-54 a run against 16-33
 * without it, in alternating runs, the inlining budget set in both. A user who wants the hot path in TurboFan sooner
 * passes the count to `node` (docs/design/latency-tail.md, "The tier-up count and the 1 000 msg/s stalls").
 *
 * A library must not change process-wide V8 settings under its host, so `@marketpipe/connector` does not: an
 * application that embeds the pipeline passes the flags to `node` itself (the connector README says how).
 */
import { setFlagsFromString } from 'node:v8';
import { InvalidOptionError } from './cli-errors.js';

/** The inlining budget's V8 flag, without its leading dashes. */
export const INLINING_BUDGET_FLAG = 'max-inlined-bytecode-size-cumulative';
/**
 * The budget in bytes of bytecode: enough for every reader of the Binance spot scanner, with both literal heads, on
 * every supported line in every run (Node 26 inlines ~4 100 bytes into the scanner).
 */
export const INLINING_BUDGET_BYTES = 5000;
/** `off` leaves V8's defaults (to compare, or to rule the settings out); `on`, the default, applies them. */
export const V8_TUNING_ENV_VAR = 'MARKETPIPE_V8_TUNING';

/**
 * The V8 flags to set, given the process's `execArgv` and environment: none when the environment says `off`;
 * otherwise the inlining budget, unless node's own command line already sets it
 * (`node --max-inlined-bytecode-size-cumulative=N`, in either the dashed or the underscored spelling), so a user's
 * own choice wins.
 *
 * @throws {InvalidOptionError} (option {@link V8_TUNING_ENV_VAR}) for an environment value other than `on`, `off` or
 *   unset.
 */
export function v8TuningFlags(execArgv: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const setting = env[V8_TUNING_ENV_VAR];
  if (setting !== undefined && setting !== 'on' && setting !== 'off') {
    throw new InvalidOptionError(
      V8_TUNING_ENV_VAR,
      `${V8_TUNING_ENV_VAR} must be on or off, got ${JSON.stringify(setting)}`,
    );
  }
  if (setting === 'off') return [];
  const userSet = new Set(
    execArgv.map((arg) => arg.split('=', 1)[0]!.replace(/^--?/, '').replaceAll('_', '-')),
  );
  const flags: string[] = [];
  if (!userSet.has(INLINING_BUDGET_FLAG)) flags.push(`--${INLINING_BUDGET_FLAG}=${INLINING_BUDGET_BYTES}`);
  return flags;
}

/**
 * Sets {@link v8TuningFlags} for this process; returns the flags it set.
 *
 * @throws {InvalidOptionError} as {@link v8TuningFlags}.
 */
export function applyV8Tuning(
  execArgv: readonly string[] = process.execArgv,
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  const flags = v8TuningFlags(execArgv, env);
  for (const flag of flags) setFlagsFromString(flag);
  return flags;
}
