# Sourced by start.sh and test.sh: makes the pnpm version pinned in package.json's
# `packageManager` available as `pnpm`. corepack's signature check fails against
# some registries, so install the pinned version with npm instead; without write
# access to npm's global prefix, fall back to running it through `npx`.
pinned=$(node -p "require('./package.json').packageManager.split('@')[1]")
if [ "$(pnpm --version 2>/dev/null || true)" != "$pinned" ]; then
  if ! npm install -g --no-audit --no-fund --loglevel=error "pnpm@$pinned" >/dev/null 2>&1; then
    echo "note: cannot install pnpm@$pinned globally; using npx" >&2
    pnpm() { npx --yes "pnpm@$pinned" "$@"; }
  fi
  hash -r
fi
