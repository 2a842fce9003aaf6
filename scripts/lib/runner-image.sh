#!/usr/bin/env bash
# Builds the runner image (deploy/runner/Dockerfile) from the built packages: run `npx tsc -b` first.
# The image is tagged with a hash of what goes into it (staged files, Dockerfile, base) and reused
# while that hash is unchanged, so a test run rebuilds it only when the runner changed.
#   scripts/lib/runner-image.sh                   ferry/runner:test: node from ferry-test/node:20 on
#                                                 ferry-test/debian:bookworm (tests; local images)
#   scripts/lib/runner-image.sh --production      ferry/runner:<version>: node from node:24-bookworm-slim
#                                                 on debian:bookworm-slim, the executors' default
#                                                 runnerImage (scripts/build-images.sh builds it
#                                                 with the server image, from local stand-ins here)
#   RUNNER_TAG=registry.example.com/ferry/runner:1.2.0 scripts/lib/runner-image.sh --production
#                                                 the same, named for a registry (push it, then set
#                                                 executor.*.runnerImage)
#   scripts/lib/runner-image.sh --production --print-tag   prints the tag it would build, and exits
# RUNNER_NODE, RUNNER_BASE and RUNNER_TAG override the node image, the base and the tag in both modes.
set -euo pipefail
cd "$(dirname "$0")/../.."

production=false
print_tag=false
for arg in "$@"; do
  case "$arg" in
    --production) production=true ;;
    --print-tag) print_tag=true ;;
    *) echo "usage: scripts/lib/runner-image.sh [--production] [--print-tag]" >&2; exit 2 ;;
  esac
done

if $production; then
  # The version the server's default runnerImage names (packages/shared/src/build-info/version.ts).
  version=$(node -p "require('./packages/shared/package.json').version")
  node_image=${RUNNER_NODE:-node:24-bookworm-slim}
  base=${RUNNER_BASE:-debian:bookworm-slim}
  tag=${RUNNER_TAG:-ferry/runner:$version}
else
  node_image=${RUNNER_NODE:-ferry-test/node:20}
  base=${RUNNER_BASE:-ferry-test/debian:bookworm}
  tag=${RUNNER_TAG:-ferry/runner:test}
fi
repo=${tag%:*}
[ "$repo" != "$tag" ] || { echo "RUNNER_TAG needs a tag (name:tag)" >&2; exit 2; }
if $print_tag; then
  echo "$tag"
  exit 0
fi

[ -f packages/runner/dist/cli.js ] && [ -f packages/shared/dist/index.js ] \
  || { echo "runner-image: packages are not built; run npx tsc -b first" >&2; exit 1; }

ctx=$(mktemp -d /tmp/ferry-runner-image.XXXXXX)
trap 'rm -rf "$ctx"' EXIT
node scripts/lib/image-context.mjs runner "$ctx" >/dev/null
cp deploy/runner/Dockerfile "$ctx/Dockerfile"

hash=$( { (cd "$ctx" && find . -type f -print0 | sort -z | xargs -0 sha256sum); echo "node=$node_image base=$base"; } \
  | sha256sum | cut -c1-16)
hashed="$repo:${tag##*:}-$hash"

if docker image inspect "$hashed" >/dev/null 2>&1; then
  docker tag "$hashed" "$tag"
  echo "runner image $tag is up to date ($hashed)"
  exit 0
fi

echo "building runner image $tag: node from $node_image on $base ($hashed)"
# Host networking: the build installs Debian packages (engines here run with --bridge=none).
if ! out=$(docker build -q --network host --build-arg NODE_IMAGE="$node_image" --build-arg BASE_IMAGE="$base" \
  --build-arg FERRY_VERSION="$(node -p "require('./package.json').version")" --label ferry.content-hash="$hash" \
  -t "$hashed" -t "$tag" "$ctx" 2>&1); then
  echo "$out" >&2
  exit 1
fi
# Earlier builds of this tag are replaced, not kept.
docker images "$repo" --format '{{.Repository}}:{{.Tag}}' \
  | grep -E "^$repo:${tag##*:}-[0-9a-f]{16}$" | grep -v -F "$hashed" | xargs -r docker rmi >/dev/null 2>&1 || true
