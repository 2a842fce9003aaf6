#!/usr/bin/env bash
# Serves Ferry on its embedded default: local executor, and a local Redis that Ferry starts itself
# when none is configured (FERRY_REDIS_URL / redis.url). Installs what is missing on a fresh machine.
#   bash scripts/serve.sh [serve options]      (npm run serve)
#   bash scripts/serve.sh demo [demo options]  (npm run demo: see docs/demo.md)
set -euo pipefail
cd "$(dirname "$0")/.."
command=serve
if [ "${1:-}" = demo ]; then
  command=demo
  shift
fi
if ! command -v redis-server >/dev/null || ! command -v git >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    echo "[ferry] installing redis-server and git" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server git >/dev/null
  else
    echo "[ferry] redis-server or git is missing: install them (apt-get install redis-server git) or set FERRY_REDIS_URL" >&2
  fi
fi
FERRY_LOG_TAG=ferry
source scripts/lib/services.sh
ensure_node_deps
ensure_stage_user
npx tsc -b
npm run build -w @ferry/web >/dev/null
exec node packages/server/bin/ferry.js "$command" "$@"
