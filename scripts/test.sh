#!/usr/bin/env bash
# The whole test suite, on a fresh machine of this kind: installs what is missing, starts Redis,
# the Docker engine and a registry on loopback, builds the local base images, type-checks, lints,
# runs unit, integration and end-to-end tests against the real services, and stops what it started.
#   npm test            everything
#   npm test -- unit    one vitest project (unit | integration | e2e), or a path filter after it
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/services.sh

ensure_system_packages
ensure_node_deps
ensure_stage_user
trap stop_services EXIT
start_services
log "build (tsc -b)"
npx tsc -b
npm run build -w @ferry/web
bash scripts/lib/test-images.sh
bash scripts/lib/runner-image.sh
log "type check (tsconfig.test.json)"
npx tsc -p tsconfig.test.json
log "lint (biome)"
npx biome ci --reporter=summary .

args=()
# Without a project: every project but gameday-open (open defects, run on their own).
if [ $# -gt 0 ]; then args+=(--project "$1"); shift; else args+=(--project unit --project integration --project e2e --project install); fi
mkdir -p test-results
status=0
npx vitest run "${args[@]}" "$@" --reporter=default --reporter=json --outputFile.json=test-results/vitest.json || status=$?
node scripts/lib/test-summary.mjs test-results/vitest.json || true
exit $status
