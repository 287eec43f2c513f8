#!/usr/bin/env bash
# The README's test command: install, build and run every check.
# Under CI=true it first installs the system packages the tests need.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
step() { printf '\n==> %s (%ss)\n' "$*" "$(($(date +%s) - started))"; }

if [ "${CI:-}" = "true" ]; then
  step "system packages"
  bash scripts/setup-system.sh
fi
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
step "unit, property and integration tests (vitest)"
pnpm test
step "packed tarballs: publint --strict and attw"
pnpm test:packages
step "consumer test: install tarballs in a fresh project"
pnpm test:consumer
step "release flow against a local Verdaccio"
pnpm test:release

if git rev-parse --git-dir >/dev/null 2>&1 && [ -n "$(git status --porcelain)" ]; then
  echo "the test command left the working tree dirty:" >&2
  git status --porcelain >&2
  exit 1
fi
step "all checks passed"
