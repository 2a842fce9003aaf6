#!/usr/bin/env bash
# Builds the local base images the tests need. Nothing can be pulled on these machines,
# so every image is made from local material and cached by tag: an existing tag is reused.
#   ferry-test/debian:bookworm  debootstrap minbase + git + ca-certificates
#   ferry-test/node:20          the debian base + this machine's own node binary
#   ferry-test/busybox:latest   scratch + Debian's busybox-static
#   ferry-test/redis:7          the debian base + this machine's redis-server and the libraries it
#                               needs that the base lacks (the service of the issue-17 e2e)
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/local-images.sh"

build_debian() {
  have_image ferry-test/debian:bookworm && return 0
  local dir
  dir=$(mktemp -d /tmp/ferry-debootstrap.XXXXXX)
  echo "building ferry-test/debian:bookworm with debootstrap (about a minute)…"
  debootstrap --variant=minbase --include=git,ca-certificates bookworm "$dir" "$(apt_mirror)" >/tmp/ferry-debootstrap.log 2>&1 \
    || { echo "debootstrap failed; see /tmp/ferry-debootstrap.log" >&2; rm -rf "$dir"; return 1; }
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
  tar -C "$dir" -c . | docker import - ferry-test/debian:bookworm >/dev/null
  rm -rf "$dir"
}

build_node() {
  have_image ferry-test/node:20 && return 0
  local ctx
  ctx=$(mktemp -d /tmp/ferry-node-image.XXXXXX)
  cp "$(command -v node)" "$ctx/node"
  printf 'FROM ferry-test/debian:bookworm\nCOPY node /usr/local/bin/node\nCMD ["node"]\n' >"$ctx/Dockerfile"
  docker build -q -t ferry-test/node:20 "$ctx" >/dev/null
  rm -rf "$ctx"
}

build_busybox() {
  have_image ferry-test/busybox:latest && return 0
  local ctx
  ctx=$(mktemp -d /tmp/ferry-busybox-image.XXXXXX)
  cp /bin/busybox "$ctx/busybox"
  cat >"$ctx/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
CMD ["/bin/sh"]
DOCKERFILE
  docker build -q -t ferry-test/busybox:latest "$ctx" >/dev/null
  rm -rf "$ctx"
}

build_redis() {
  have_image ferry-test/redis:7 && return 0
  command -v redis-server >/dev/null || apt-get install -y redis-server >/dev/null
  local ctx lib
  ctx=$(mktemp -d /tmp/ferry-redis-image.XXXXXX)
  mkdir -p "$ctx/lib"
  cp "$(command -v redis-server)" "$ctx/redis-server"
  # Every shared library redis-server loads (ldd), copied beside it: the base then needs nothing.
  for lib in $(ldd "$(command -v redis-server)" | awk '/=> \//{print $3}'); do cp -L "$lib" "$ctx/lib/"; done
  cat >"$ctx/Dockerfile" <<'DOCKERFILE'
FROM ferry-test/debian:bookworm
COPY lib/ /opt/redis/lib/
COPY redis-server /usr/local/bin/redis-server
ENV LD_LIBRARY_PATH=/opt/redis/lib
EXPOSE 6379
CMD ["redis-server", "--bind", "127.0.0.1", "--port", "6379", "--save", "", "--appendonly", "no"]
DOCKERFILE
  docker build -q -t ferry-test/redis:7 "$ctx" >/dev/null
  rm -rf "$ctx"
}

build_busybox
build_debian
build_node
build_redis
