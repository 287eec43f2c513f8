/**
 * The V8 setting the `marketpipe` executable applies to its own process, before any hot code is compiled.
 *
 * V8's optimizing compiler inlines the functions an optimized function calls until their bytecode adds up to a
 * budget (`--max-inlined-bytecode-size-cumulative`, 920 bytes on every supported Node line), in an order of its
 * own (on Node 20, the last calls of a function first). The Binance spot scanner calls 23 small readers per message
 * (~2 500 bytes of bytecode in all): under the default budget on Node 20 the last ten are inlined and the first
 * thirteen (key matches, string ends, the price and size readers) stay calls, once per message each. With 3 000
 * bytes every one is inlined, and in the app the replay and the runner's own calls are inlined too. Measured on a
 * 1M-trade replay (main-thread CPU time, alternating runs): Node 20 -10%, Node 22 -6%, Node 24 -5%, Node 26
 * unchanged; hot-path p50 -40 to -80 ns on Node 20-24; the other venues' replays no slower on Node 20, and on
 * Node 26 Bybit -3%, OKX -5%, Coinbase and Kraken +1-2% (docs/design/whole-process.md, "V8's inlining budget").
 *
 * A library must not change process-wide V8 settings under its host, so `@marketpipe/connector` does not: an
 * application that embeds the pipeline passes the flag to `node` itself (the connector README says how).
 */
import { setFlagsFromString } from 'node:v8';
import { InvalidOptionError } from './cli-errors.js';

/** The V8 flag, without its leading dashes. */
export const INLINING_BUDGET_FLAG = 'max-inlined-bytecode-size-cumulative';
/** The budget in bytes of bytecode: the smallest measured that inlines every reader of the Binance spot scanner. */
export const INLINING_BUDGET_BYTES = 3000;
/** `off` leaves V8's defaults (to compare, or to rule the setting out); `on`, the default, applies it. */
export const V8_TUNING_ENV_VAR = 'MARKETPIPE_V8_TUNING';

/**
 * The V8 flags to set, given the process's `execArgv` and environment: none when the environment says `off`, or
 * when the command line already sets the budget (`node --max-inlined-bytecode-size-cumulative=N`, in either the
 * dashed or the underscored spelling), so a user's own choice wins.
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
  const userSet = execArgv.some((arg) => {
    const name = arg.split('=', 1)[0]!.replace(/^--?/, '').replaceAll('_', '-');
    return name === INLINING_BUDGET_FLAG;
  });
  return userSet ? [] : [`--${INLINING_BUDGET_FLAG}=${INLINING_BUDGET_BYTES}`];
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
