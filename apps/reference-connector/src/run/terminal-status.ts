/**
 * The status line at the bottom of a terminal, shared by the status reporter
 * (which redraws it) and the logger (which prints above it). Log lines go to
 * stderr and the status line to stdout: on one terminal, a log line written
 * in between would land inside the status line unless it is lifted first.
 */
import type { CliOutput } from '../cli-context.js';
import { CLEAR_LINE } from './status-line.js';

/** The one redrawn line of a terminal; a no-op holder when stdout is not a terminal. */
export class TerminalStatus {
  readonly #stdout: CliOutput;
  #line: string | undefined;

  constructor(stdout: CliOutput) {
    this.#stdout = stdout;
  }

  /** Draws `line` over the current status line. */
  show(line: string): void {
    this.#line = line;
    this.#stdout.write(CLEAR_LINE + line);
  }

  /** Erases the status line for good (until the next `show`). */
  clear(): void {
    if (this.#line === undefined) return;
    this.#line = undefined;
    this.#stdout.write(CLEAR_LINE);
  }

  /** Runs `print` (a write of whole lines to the terminal) with the status line lifted, then redraws it. */
  above(print: () => void): void {
    const line = this.#line;
    if (line === undefined) {
      print();
      return;
    }
    this.#stdout.write(CLEAR_LINE);
    print();
    this.#stdout.write(line);
  }
}
