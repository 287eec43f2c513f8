/** Number formatting shared by the status line, the summary and `verify`: compact, fixed units, no locale surprises. */

/** `1234567` -> `1,234,567`. */
export function formatCount(value: number): string {
  const rounded = Math.round(value);
  // Grouped by hand: the first `toLocaleString` of a process loads ICU's locale data, 10-90 ms on the benchmark
  // machine, paid by every run's summary and first status line (issue 15).
  if (!Number.isFinite(rounded) || Math.abs(rounded) >= 1e21) return rounded.toLocaleString('en-US');
  const digits = String(Math.abs(rounded));
  let grouped = digits.slice(0, digits.length % 3 || 3);
  for (let at = grouped.length; at < digits.length; at += 3) grouped += `,${digits.slice(at, at + 3)}`;
  return rounded < 0 ? `-${grouped}` : grouped;
}

/** Bytes in binary units: `512 B`, `1.5 KiB`, `12.0 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** A latency in ns with the unit that keeps 2-3 significant digits: `850ns`, `1.2µs`, `35µs`, `4.1ms`. */
export function formatNanos(nanos: number): string {
  if (nanos < 1_000) return `${Math.round(nanos)}ns`;
  if (nanos < 1_000_000) return `${significant(nanos / 1_000)}µs`;
  if (nanos < 1_000_000_000) return `${significant(nanos / 1_000_000)}ms`;
  return `${significant(nanos / 1_000_000_000)}s`;
}

/** A per-second rate: `0`, `8.5`, `1,200`. */
export function formatRate(perSecond: number): string {
  return perSecond < 10 ? `${Math.round(perSecond * 10) / 10}` : formatCount(perSecond);
}

/** A 0..1 fraction as a percentage: `0.4%`, `97%`. */
export function formatPercent(fraction: number): string {
  const percent = fraction * 100;
  return percent < 10 ? `${Math.round(percent * 10) / 10}%` : `${Math.round(percent)}%`;
}

function significant(value: number): string {
  return value < 10 ? value.toFixed(1) : `${Math.round(value)}`;
}
