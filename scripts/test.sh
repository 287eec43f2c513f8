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
step "unit, property and integration tests (vitest) on Node $(node --version)"
pnpm test
# The whole suite runs on the machine's Node and on the newest pinned line. On the lines between, only the suites
# that depend most on the runtime run (the ring and its memory map, the flusher worker, the SIGKILL crash tests):
# three whole passes take ~15 minutes on 2 cores. MARKETPIPE_FULL_MATRIX=1 runs the whole suite on every line.
lines=$(node -p "Object.keys(require('./scripts/node-lines.json').lines).join(' ')")
newest=${lines##* }
runtime_suites=(
  --project connector packages/connector/src/ring packages/connector/test/ring
  packages/connector/src/flusher packages/connector/test/flusher
  --project reference-connector apps/reference-connector/test/reliability/crash-restart.test.ts
)
for line in $lines; do
  bin=$(node scripts/install-node.mjs --print "$line")
  # First on PATH, so every process the tests start (children, workers, pnpm) runs the same Node.
  if [ "$line" = "$newest" ] || [ "${MARKETPIPE_FULL_MATRIX:-}" = "1" ]; then
    step "vitest on Node $("$bin/node" --version)"
    PATH="$bin:$PATH" node node_modules/vitest/vitest.mjs run
  else
    step "vitest on Node $("$bin/node" --version): ring, flusher and crash suites"
    PATH="$bin:$PATH" node node_modules/vitest/vitest.mjs run "${runtime_suites[@]}"
  fi
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
