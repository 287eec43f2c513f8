#!/usr/bin/env bash
# Installs the system packages the tests need, when they are missing, on Debian:
#   nats-server  (Debian package nats-server) - private NATS / JetStream servers for transport and journal tests
#   capnp        (Debian package capnproto)   - the official Cap'n Proto tool that checks the wire format
# Needs root (or sudo); without either it names what to install. Idempotent: does nothing when both tools are present.
# scripts/test.sh runs it first, with or without CI=true.
set -euo pipefail

missing=()
command -v nats-server >/dev/null 2>&1 || missing+=(nats-server)
command -v capnp >/dev/null 2>&1 || missing+=(capnproto)
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-system: nats-server and capnp already installed"
  exit 0
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then as_root=(sudo); else
    echo "setup-system: the tests need ${missing[*]}; installing needs root or sudo:" >&2
    echo "  as root: apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi
echo "setup-system: installing ${missing[*]}"
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
nats-server --version
capnp --version
