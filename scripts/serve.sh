#!/usr/bin/env bash
# Serves Ferry on its embedded default: local executor, and a local Redis that Ferry starts itself
# when none is configured (FERRY_REDIS_URL / redis.url). Installs what is missing on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v redis-server >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    echo "[ferry] installing redis-server" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server git >/dev/null
  else
    echo "[ferry] redis-server is missing: install it (apt-get install redis-server) or set FERRY_REDIS_URL" >&2
  fi
fi
FERRY_LOG_TAG=ferry
source scripts/lib/services.sh
ensure_node_deps
npx tsc -b
npm run build -w @ferry/web >/dev/null
exec node packages/server/bin/ferry.js serve "$@"
