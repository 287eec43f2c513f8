#!/usr/bin/env bash
# The README's run command: install, build and start the reference connector on
# its built-in default (simulator source, in-memory transport, ./data).
# Extra arguments go to `marketpipe run`.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/ensure-pnpm.sh
source scripts/lib/ensure-pnpm.sh
export TURBO_TELEMETRY_DISABLED=1
pnpm install --frozen-lockfile --reporter=silent
pnpm exec turbo run build --filter=@marketpipe/reference-connector... --output-logs=errors-only
# exec: Ctrl-C reaches the app directly, which drains, prints its summary and sets the exit code.
exec node apps/reference-connector/dist/cli.js run "$@"
