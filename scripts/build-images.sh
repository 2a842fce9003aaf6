#!/usr/bin/env bash
# Builds Ferry's two release images from this checkout (`npm run images`), labels them (OCI:
# version, revision, source) and prints their sizes:
#   ferry/server:<version>   deploy/server/Dockerfile   `ferry serve`
#   ferry/runner:<version>   deploy/runner/Dockerfile   the program in runner pods
# The packages must be built first (`npm run build`: tsc and the dashboard).
#
#   scripts/build-images.sh                      both, FROM the official node:24-bookworm-slim and
#                                                debian:bookworm-slim when the engine has them, else
#                                                FROM local stand-ins (scripts/lib/node-lts-image.sh)
#   IMAGE_PREFIX=registry.vpc:5000/ferry scripts/build-images.sh
#                                                named for a registry (then `docker push` both)
#   IMAGE_TAG=1.2.0-rc.1                         another tag than the package version
#   NODE_IMAGE=… BASE_IMAGE=…                    other bases
#   FERRY_SOURCE=https://git.example.com/ferry   the source label (default: git's origin URL)
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(node -p "require('./package.json').version")
tag=${IMAGE_TAG:-$version}
prefix=${IMAGE_PREFIX:-ferry}
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then revision="$revision-dirty"; fi
source_url=${FERRY_SOURCE:-$(git remote get-url origin 2>/dev/null || echo unknown)}

source scripts/lib/local-images.sh

# The official bases when present (an engine that can pull, or a mirror), else the local stand-ins.
if [ -z "${NODE_IMAGE:-}" ]; then
  NODE_IMAGE=node:24-bookworm-slim
  have_image "$NODE_IMAGE" || NODE_IMAGE=$(bash scripts/lib/node-lts-image.sh)
fi
if [ -z "${BASE_IMAGE:-}" ]; then
  BASE_IMAGE=debian:bookworm-slim
  have_image "$BASE_IMAGE" || BASE_IMAGE=ferry-test/debian:bookworm-slim
fi
have_image "$BASE_IMAGE" || bash scripts/lib/node-lts-image.sh >/dev/null

for built in packages/server/dist/cli/main.js packages/runner/dist/cli.js packages/web/dist/index.html; do
  [ -f "$built" ] || { echo "build-images: $built is missing; run npm run build first" >&2; exit 1; }
done

build() { # name dockerfile-dir
  local name=$1 dir=$2 ctx image
  image="$prefix/$name:$tag"
  ctx=$(mktemp -d "/tmp/ferry-$name-image.XXXXXX")
  node scripts/lib/image-context.mjs "$name" "$ctx" >/dev/null
  cp "$dir"/* "$ctx/"
  echo "building $image (node: $NODE_IMAGE, base: $BASE_IMAGE)…" >&2
  # Host networking: the build installs Debian packages (engines here run with --bridge=none).
  if ! out=$(docker build -q --network host \
    --build-arg NODE_IMAGE="$NODE_IMAGE" --build-arg BASE_IMAGE="$BASE_IMAGE" \
    --build-arg FERRY_VERSION="$version" --build-arg FERRY_REVISION="$revision" \
    --build-arg FERRY_SOURCE="$source_url" \
    -t "$image" "$ctx" 2>&1); then
    echo "$out" >&2
    rm -rf "$ctx"
    return 1
  fi
  rm -rf "$ctx"
  printf '%s\t%s MB\n' "$image" "$(docker image inspect "$image" --format '{{.Size}}' | awk '{printf "%.0f", $1/1000000}')"
}

build server deploy/server
build runner deploy/runner
