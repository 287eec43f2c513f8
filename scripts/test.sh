#!/usr/bin/env bash
# The README's test command: install, build and run every check, on the machine's
# Node and again (vitest, consumer test) on each Node line pinned in
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
step "typecheck"
pnpm typecheck --output-logs=errors-only
step "lint"
pnpm lint
step "unit, property and integration tests (vitest) on Node $(node --version)"
pnpm test
for line in $(node -p "Object.keys(require('./scripts/node-lines.json').lines).join(' ')"); do
  bin=$(node scripts/install-node.mjs --print "$line")
  step "vitest on Node $("$bin/node" --version)"
  # First on PATH, so every process the tests start (children, workers, pnpm) runs the same Node.
  PATH="$bin:$PATH" node node_modules/vitest/vitest.mjs run
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
