#!/usr/bin/env bash
# The README's test command: install, build and run every check, on the machine's
# Node and again (vitest, consumer test) on the Node lines pinned in
# scripts/node-lines.json. It installs what it needs first and says what.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
step() { printf '\n==> %s (%ss)\n' "$*" "$(($(date +%s) - started))"; }

step "system packages (nats-server, capnp)"
bash scripts/setup-system.sh
step "Node lines of the matrix (scripts/node-lines.json)"
node scripts/install-node.mjs
# shellcheck source=lib/ensure-pnpm.sh
source scripts/lib/ensure-pnpm.sh
export TURBO_TELEMETRY_DISABLED=1

step "install"
pnpm install --frozen-lockfile
step "build"
pnpm build --output-logs=errors-only
step "public API reports (api-extractor): each entry's API matches its reviewed report"
pnpm test:api
step "typecheck"
pnpm typecheck --output-logs=errors-only
step "lint"
pnpm lint
# The whole suite runs once, on the newest pinned line (26, the active LTS). Every other supported line (the
# machine's own Node and the other pinned lines) runs the suites that depend most on the runtime: the ring and its
# memory map, the flusher worker, CPU placement, module loading at start-up, the clock and the hot path's counters
# against V8's optimizing compiler, the CLI as a process and its V8 tier-up flags, and on the machine's Node the
# SIGKILL crash test. A whole pass takes 4-4.5 minutes on 2 cores, with two test files at a time (vitest.config.ts).
# MARKETPIPE_FULL_MATRIX=1 runs the whole suite on every line.
lines=$(node -p "Object.keys(require('./scripts/node-lines.json').lines).join(' ')")
newest=${lines##* }
own_line=$(node -p 'process.versions.node.split(".")[0]')
runtime_suites=(
  --project connector packages/connector/src/ring packages/connector/test/ring
  packages/connector/src/flusher packages/connector/test/flusher packages/connector/test/placement
  packages/connector/test/runner/counters-past-2-31.test.ts
  --project middleware packages/middleware/test/lazy-loading.test.ts packages/middleware/test/latency/clock-optimization.test.ts
  --project reference-connector apps/reference-connector/test/startup-loading.test.ts
  apps/reference-connector/test/process.test.ts apps/reference-connector/test/end-to-end.test.ts
  apps/reference-connector/test/v8-tuning.test.ts
)
crash_suite=(apps/reference-connector/test/reliability/crash-restart.test.ts)
# run_vitest <bin dir or ""> <whole|runtime|runtime+crash>
run_vitest() {
  local bin=$1 scope=$2 path_prefix=$PATH version
  [ -n "$bin" ] && path_prefix="$bin:$PATH"
  version=$(PATH="$path_prefix" node --version)
  [ "${MARKETPIPE_FULL_MATRIX:-}" = "1" ] && scope=whole
  case $scope in
  whole)
    step "vitest on Node $version: the whole suite"
    PATH="$path_prefix" node node_modules/vitest/vitest.mjs run
    ;;
  runtime)
    step "vitest on Node $version: ring, flusher, start-up and CLI process suites"
    PATH="$path_prefix" node node_modules/vitest/vitest.mjs run "${runtime_suites[@]}"
    ;;
  runtime+crash)
    step "vitest on Node $version: ring, flusher, start-up, CLI process and SIGKILL crash suites"
    PATH="$path_prefix" node node_modules/vitest/vitest.mjs run "${runtime_suites[@]}" "${crash_suite[@]}"
    ;;
  esac
}
# The machine's own Node, unless a pinned line of the same major covers it.
case " $lines " in
*" $own_line "*) ;;
*) run_vitest "" runtime+crash ;;
esac
for line in $lines; do
  # First on PATH, so every process the tests start (children, workers, pnpm) runs the same Node.
  bin=$(node scripts/install-node.mjs --print "$line")
  if [ "$line" = "$newest" ]; then run_vitest "$bin" whole; else run_vitest "$bin" runtime; fi
done
step "packed tarballs: publint --strict and attw"
pnpm test:packages
step "consumer test: install tarballs in a fresh project, on every Node line"
pnpm test:consumer
step "release flow against a local Verdaccio"
pnpm test:release

if git rev-parse --git-dir >/dev/null 2>&1 && [ -n "$(git status --porcelain)" ]; then
  echo "the test command left the working tree dirty:" >&2
  git status --porcelain >&2
  exit 1
fi
step "all checks passed"
