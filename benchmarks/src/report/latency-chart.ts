/**
 * The latency chart of `RESULTS.md`: percentile distributions drawn as hand-written SVG (no dependency). The x axis
 * counts "nines" (50 %, 90 %, 99 %, 99.9 %, 99.99 %), the y axis is logarithmic, so one chart holds nanosecond hot
 * paths and millisecond network tails.
 */
import type { LatencySeries } from '../harness/suite-result.js';

const WIDTH = 960;
const HEIGHT = 540;
const MARGIN = { left: 80, right: 20, top: 40, bottom: 60 };
const LEGEND_ROW = 18;
const COLORS = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];
const MAX_NINES = 4;
const X_TICKS: readonly [number, string][] = [
  [0, '0%'],
  [50, '50%'],
  [90, '90%'],
  [99, '99%'],
  [99.9, '99.9%'],
  [99.99, '99.99%'],
];

/** Percentile as a count of nines: 90 -> 1, 99 -> 2, 99.9 -> 3 (capped at 4). */
function nines(percentile: number): number {
  return Math.min(MAX_NINES, -Math.log10(Math.max(1e-6, 1 - percentile / 100)));
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function nsLabel(ns: number): string {
  if (ns < 1_000) return `${ns} ns`;
  if (ns < 1_000_000) return `${ns / 1_000} µs`;
  if (ns < 1_000_000_000) return `${ns / 1_000_000} ms`;
  return `${ns / 1_000_000_000} s`;
}

/**
 * Renders `series` as a standalone SVG document. Points at 100 % (the maximum) are left out: the axis cannot place
 * them, and the report's tables give the maximum.
 *
 * @example
 * ```ts
 * writeFileSync('latency.svg', renderLatencyChart('Hot path latency', [latencySeries('binance', recorder)]));
 * ```
 */
export function renderLatencyChart(title: string, series: readonly LatencySeries[]): string {
  const plotted = series.map((s) => ({
    label: s.label,
    points: s.points.filter((p) => p.percentile < 100 && p.ns > 0),
  }));
  const values = plotted.flatMap((s) => s.points.map((p) => p.ns));
  const minDecade = values.length > 0 ? Math.floor(Math.log10(Math.min(...values))) : 1;
  const maxDecade =
    values.length > 0 ? Math.max(minDecade + 1, Math.ceil(Math.log10(Math.max(...values)))) : 6;
  const legendHeight = plotted.length * LEGEND_ROW + 10;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const totalHeight = HEIGHT + legendHeight;
  const x = (percentile: number): number => MARGIN.left + (nines(percentile) / MAX_NINES) * plotWidth;
  const y = (ns: number): number =>
    MARGIN.top + plotHeight - ((Math.log10(ns) - minDecade) / (maxDecade - minDecade)) * plotHeight;

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${totalHeight}" viewBox="0 0 ${WIDTH} ${totalHeight}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${totalHeight}" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="16">${escapeXml(title)}</text>`,
  ];
  for (let decade = minDecade; decade <= maxDecade; decade++) {
    const ns = 10 ** decade;
    const yy = y(ns).toFixed(1);
    parts.push(
      `<line x1="${MARGIN.left}" y1="${yy}" x2="${WIDTH - MARGIN.right}" y2="${yy}" stroke="#dddddd"/>`,
      `<text x="${MARGIN.left - 8}" y="${yy}" text-anchor="end" dominant-baseline="middle">${escapeXml(nsLabel(ns))}</text>`,
    );
  }
  for (const [percentile, label] of X_TICKS) {
    const xx = x(percentile).toFixed(1);
    parts.push(
      `<line x1="${xx}" y1="${MARGIN.top}" x2="${xx}" y2="${MARGIN.top + plotHeight}" stroke="#dddddd"/>`,
      `<text x="${xx}" y="${MARGIN.top + plotHeight + 18}" text-anchor="middle">${label}</text>`,
    );
  }
  parts.push(
    `<text x="${MARGIN.left + plotWidth / 2}" y="${MARGIN.top + plotHeight + 40}" text-anchor="middle">percentile</text>`,
    `<text x="18" y="${MARGIN.top + plotHeight / 2}" text-anchor="middle" transform="rotate(-90 18 ${MARGIN.top + plotHeight / 2})">latency (log scale)</text>`,
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#999999"/>`,
  );
  plotted.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    const coordinates = s.points.map((p) => `${x(p.percentile).toFixed(1)},${y(p.ns).toFixed(1)}`).join(' ');
    if (s.points.length > 0) {
      parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${coordinates}"/>`);
    }
    const ly = HEIGHT + i * LEGEND_ROW;
    parts.push(
      `<line x1="${MARGIN.left}" y1="${ly}" x2="${MARGIN.left + 24}" y2="${ly}" stroke="${color}" stroke-width="3"/>`,
      `<text x="${MARGIN.left + 32}" y="${ly}" dominant-baseline="middle">${escapeXml(s.label)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
