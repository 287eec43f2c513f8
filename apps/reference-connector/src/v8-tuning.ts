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
 * **The tier-up to TurboFan, on Node 24 and later.** There V8 runs a hot function as Maglev code (its mid-tier
 * compiler, off on Node 20 and 22) before TurboFan, and with Maglev on it raises the calls a function needs before
 * TurboFan (`--invocation-count-for-turbofan`) from Node 22's 3 000 to 10 000 on Node 24 and 16 000 on Node 26
 * (`node --print-flag-values`; `--v8-options` shows 3 000, the value before that implication). On a live
 * feed at 1 000 messages a second the hot path (the Binance scanner, the encoder, the ring's `tryWrite`,
 * `Runner.onMessage`) was Maglev code for its first ~10 s on Node 24 and ~16 s on Node 26, at a p50 of 1.4-2.4 µs
 * against 1.0-1.3 µs once in TurboFan; a quieter feed stays there proportionally longer (100 messages a second:
 * minutes). With 1 000 calls both lines reach TurboFan within 1-2 s at that rate, and a 1M-trade replay showed no
 * cost beyond the host's spread (docs/design/latency-tail.md, "Node 24 and 26: the hot path waits in Maglev").
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
/** The V8 flag that sets how soon a function moves from Maglev to TurboFan, without its leading dashes. */
export const TIER_UP_FLAG = 'invocation-count-for-turbofan';
/** Its value on lines that run Maglev by default (V8 itself: 10 000 on Node 24, 16 000 on Node 26). */
export const TIER_UP_INVOCATIONS = 1000;
/** The first Node major whose V8 runs Maglev by default (and so has the slow tier-up the flag shortens). */
const FIRST_MAGLEV_NODE_MAJOR = 24;
/** `off` leaves V8's defaults (to compare, or to rule the settings out); `on`, the default, applies them. */
export const V8_TUNING_ENV_VAR = 'MARKETPIPE_V8_TUNING';

/**
 * The V8 flags to set, given the process's `execArgv`, environment and Node version: none when the environment
 * says `off`; otherwise the inlining budget, and on Node 24 and later the earlier tier-up to TurboFan, each unless
 * node's own command line already sets that flag (`node --max-inlined-bytecode-size-cumulative=N`, in either the
 * dashed or the underscored spelling), so a user's own choice wins.
 *
 * @throws {InvalidOptionError} (option {@link V8_TUNING_ENV_VAR}) for an environment value other than `on`, `off` or
 *   unset.
 */
export function v8TuningFlags(
  execArgv: readonly string[],
  env: NodeJS.ProcessEnv,
  nodeVersion: string = process.versions.node,
): string[] {
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
  if (Number(nodeVersion.split('.')[0]) >= FIRST_MAGLEV_NODE_MAJOR && !userSet.has(TIER_UP_FLAG)) {
    flags.push(`--${TIER_UP_FLAG}=${TIER_UP_INVOCATIONS}`);
  }
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
