#!/usr/bin/env bash
# Builds the local base images the tests need. Nothing can be pulled on these machines,
# so every image is made from local material and cached by tag: an existing tag is reused.
#   ferry-test/debian:bookworm  debootstrap minbase + git + ca-certificates
#   ferry-test/node:20          the debian base + this machine's own node binary
#   ferry-test/busybox:latest   scratch + Debian's busybox-static
set -euo pipefail

have_image() { docker image inspect "$1" >/dev/null 2>&1; }

apt_mirror() {
  local m
  m=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -n1 || true)
  [ -n "$m" ] || m=$(grep -hE '^deb ' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | grep -v security | head -n1 || true)
  echo "${m:-http://deb.debian.org/debian}"
}

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

build_busybox
build_debian
build_node
