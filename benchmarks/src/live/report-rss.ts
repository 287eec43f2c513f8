/**
 * Preloaded (`--import`) into a measured process: at exit, prints its peak RSS as one JSON line on stderr, so the
 * suite can compare whole processes without an external `time` tool.
 */
process.on('exit', () => {
  process.stderr.write(`${JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS })}\n`);
});
