/** The end-of-run summary as text for a person; the same numbers as the JSON summary. */

import { formatBytes, formatCount, formatNanos } from '../format/units.js';
import { formatDuration } from '../options/duration.js';
import type { RunSummary } from './run-summary.js';

const OUTCOME_TEXT: Readonly<Record<RunSummary['outcome'], string>> = {
  clean: 'clean: nothing lost',
  lost: 'something was lost or dropped',
  error: 'error',
};

/**
 * Multi-line text of a {@link RunSummary}, ending with the exit code and its meaning.
 *
 * @example
 * ```ts
 * process.stdout.write(formatRunSummary(summary));
 * ```
 */
export function formatRunSummary(summary: RunSummary): string {
  const drops = Object.entries(summary.drops).filter(([, count]) => count > 0);
  const symbols = Object.entries(summary.tradesPerSymbol);
  const { latencyNs: latency } = summary;
  const lines = [
    `marketpipe run summary: ${summary.venue} ${summary.symbols.join(',')}, ${summary.source}, ` +
      `${formatDuration(summary.durationMs)}, stopped by ${summary.stopReason}`,
    `  received      ${formatCount(summary.received)} messages (${formatBytes(summary.bytesReceived)})` +
      (summary.replaySkippedLines > 0
        ? `; ${formatCount(summary.replaySkippedLines)} replay lines skipped (empty, or without the file's timestamp prefix)`
        : ''),
    `  trades        ${formatCount(summary.trades)}, non-trade ${formatCount(summary.nonTrade)}, parse errors ${formatCount(summary.parseErrors)}`,
    `  per symbol    ${symbols.length === 0 ? 'none' : symbols.map(([s, n]) => `${s} ${formatCount(n)}`).join(', ')}`,
    `  gaps          ${formatCount(summary.gaps.events)} events, ${formatCount(summary.gaps.missing)} missing` +
      (summary.gaps.late > 0 || summary.gaps.duplicates > 0
        ? `; ${formatCount(summary.gaps.late)} late, ${formatCount(summary.gaps.duplicates)} duplicate ids (published)`
        : ''),
    `  drops         ${drops.length === 0 ? 'none' : drops.map(([cause, n]) => `${cause} ${formatCount(n)}`).join(', ')}`,
    `  recorded      ${formatCount(summary.recordsWritten)} records (${formatBytes(summary.recordedBytes)}), lost ${formatCount(summary.lost)}` +
      (summary.replayWaitedMs > 0
        ? `; the replay waited ${formatDuration(summary.replayWaitedMs)} for the recorder`
        : ''),
    `  published     ${formatCount(summary.published)} via ${summary.transport}, dropped ${formatCount(summary.transportDropped)}`,
    `  latency       p50 ${formatNanos(latency.p50)}, p99 ${formatNanos(latency.p99)}, p99.9 ${formatNanos(latency.p999)}, max ${formatNanos(latency.max)} (${formatCount(latency.count)} samples)`,
  ];
  const books = summary.books;
  if (books !== undefined) {
    lines.push(
      `  books         ${formatCount(books.updates)} updates (${formatCount(books.snapshots)} snapshots), ` +
        `gaps ${formatCount(books.gaps)}, checksum failures ${formatCount(books.checksumFailures)}, ` +
        `resyncs ${formatCount(books.resyncs)}, unsynced ${formatCount(books.unsynced)}, ` +
        `${formatCount(books.refreshSnapshots)} refresh snapshots`,
    );
  }
  if (summary.error !== undefined)
    lines.push(`  error         ${summary.error.code}: ${summary.error.message}`);
  if (summary.lossReasons.length > 0) lines.push(`  loss          ${summary.lossReasons.join(', ')}`);
  lines.push(`  exit code     ${summary.exitCode} (${OUTCOME_TEXT[summary.outcome]})`);
  return `${lines.join('\n')}\n`;
}
