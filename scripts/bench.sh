#!/usr/bin/env bash
# Benchmarks: npm run bench:intake | bench:dispatch | bench:release | bench:test-cache | bench:followers | bench:soak [-- --seconds N ...]. Starts a Redis (and
# whatever else the bench needs) on loopback like the test command, builds, runs, stops.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/services.sh
name=$1; shift
ensure_system_packages
ensure_node_deps
trap stop_services EXIT
FERRY_TEST_SERVICES_DIR=$(mktemp -d /tmp/ferry-bench.XXXXXX); export FERRY_TEST_SERVICES_DIR
start_redis
[ "$name" = soak ] && start_postgres
[ "$name" = dispatch ] && { start_dockerd; bash scripts/lib/test-images.sh; }
[ "$name" = release ] && { start_dockerd; start_registry; bash scripts/lib/test-images.sh; }
[ "$name" = test-cache ] && { start_dockerd; bash scripts/lib/test-images.sh; }
npx tsc -b
# The docker executor's runner image, as the tests build it (RUNNER_TAG, default ferry/runner:test).
[ "$name" = dispatch ] && bash scripts/lib/runner-image.sh
FERRY_BENCH_REDIS_URL=$FERRY_TEST_REDIS_URL FERRY_BENCH_POSTGRES_URL=${FERRY_TEST_POSTGRES_URL:-} npx tsx "bench/$name.ts" "$@"
