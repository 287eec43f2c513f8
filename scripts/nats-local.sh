#!/usr/bin/env bash
# A NATS server for trying marketpipe by hand: installs nats-server (Debian package, needs root or sudo) when it is
# missing, then runs it in the foreground on 127.0.0.1:4222 (or the port given as the first argument) with
# JetStream on, its store in a temporary folder removed on exit. Ctrl-C stops it.
set -euo pipefail
port="${1:-4222}"

if ! command -v nats-server >/dev/null 2>&1; then
  as_root=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then as_root=(sudo); else
      echo "nats-local: nats-server is missing and installing it needs root (apt-get install nats-server)" >&2
      exit 1
    fi
  fi
  echo "nats-local: installing nats-server"
  "${as_root[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends nats-server >/dev/null
fi

store="$(mktemp -d "${TMPDIR:-/tmp}/marketpipe-nats.XXXXXX")"
trap 'rm -rf "$store"' EXIT
echo "nats-local: nats://127.0.0.1:${port} (JetStream store ${store}); Ctrl-C stops it"
# Not exec: the trap removes the store after the server exits.
nats-server --addr 127.0.0.1 --port "$port" --jetstream --store_dir "$store"
