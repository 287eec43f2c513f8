/**
 * One process of the books suite's trade comparison (`fixtures/trade-stack.ts`): runs one case's stack and prints
 * its trades' latency as one JSON line. The books suite starts it; by hand:
 *
 *   node --expose-gc --min-semi-space-size=128 --max-semi-space-size=128 dist/books-trade.js --case wired
 */

import { runTradeStack, TRADE_STACK_CASES, type TradeStackCase } from './fixtures/trade-stack.js';
import { BenchArgumentError } from './harness/bench-errors.js';
import { FULL_PROFILE, SMOKE_PROFILE } from './harness/bench-profile.js';

async function main(argv: readonly string[]): Promise<void> {
  let kind: string | undefined;
  let smoke = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--case' && argv[i + 1] !== undefined) kind = argv[++i];
    else if (argv[i] === '--smoke') smoke = true;
    else
      throw new BenchArgumentError(
        `unknown argument ${JSON.stringify(argv[i])} (expected --case <case>, --smoke)`,
      );
  }
  if (kind === undefined || !(TRADE_STACK_CASES as readonly string[]).includes(kind)) {
    throw new BenchArgumentError(`--case must be one of ${TRADE_STACK_CASES.join(', ')}`);
  }
  const result = await runTradeStack(kind as TradeStackCase, smoke ? SMOKE_PROFILE : FULL_PROFILE);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main(process.argv.slice(2)).then(
  () => {
    process.exitCode = 0;
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
