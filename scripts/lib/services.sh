# Sourced by scripts/test.sh and scripts/bench.sh: installs what is missing and starts the real
# services the tests use, on loopback, and stops exactly what it started (stop_services, from a trap).
# Exports: FERRY_TEST_REDIS_URL, FERRY_TEST_POSTGRES_URL, FERRY_TEST_REGISTRY (host:port),
#          FERRY_TEST_REGISTRY_USER, FERRY_TEST_REGISTRY_PASSWORD, FERRY_TEST_SERVICES_DIR.

FERRY_STARTED_PIDS=()
FERRY_STARTED_DOCKERD=0
FERRY_STARTED_POSTGRES=""
# Debian 12's PostgreSQL (apt-get install postgresql).
FERRY_PG_BIN=${FERRY_PG_BIN:-/usr/lib/postgresql/15/bin}

log() { printf "[%s] %s\n" "${FERRY_LOG_TAG:-ferry-test}" "$*" >&2; }

ensure_system_packages() {
  local missing=()
  command -v redis-server >/dev/null || missing+=(redis-server)
  [ -x "$FERRY_PG_BIN/initdb" ] || missing+=(postgresql)
  command -v dockerd >/dev/null || missing+=(docker.io)
  command -v docker-registry >/dev/null || missing+=(docker-registry)
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  command -v htpasswd >/dev/null || missing+=(apache2-utils)
  [ -x /bin/busybox ] || missing+=(busybox-static)
  command -v git >/dev/null || missing+=(git)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    log "missing system packages: ${missing[*]} (run as root or install them)"; return 1
  fi
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${missing[@]}" >/dev/null
}

# The unprivileged account local-executor stages run as when Ferry runs as root
# (executor.local.user, default ferry-stage): no home, no shell, a group of its own.
ensure_stage_user() {
  local user=${1:-ferry-stage}
  [ "$(id -u)" = 0 ] || return 0
  id "$user" >/dev/null 2>&1 && return 0
  log "creating the stage user $user (local executor stages run as it)"
  useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$user"
}

ensure_node_deps() {
  local stamp=node_modules/.package-lock.json
  if [ ! -d node_modules ] || [ package-lock.json -nt "$stamp" ]; then
    log "installing npm dependencies (npm ci)"
    # npm ci only: it installs exactly the committed lockfile and never rewrites it. If it refuses
    # the lockfile, fail loudly (a silent `npm install` fallback would change the lock and the tree).
    npm ci --no-audit --no-fund --loglevel=error >"${TMPDIR:-/tmp}/ferry-npm-ci.log" 2>&1 || {
      log "npm ci refused the committed package-lock.json; see ${TMPDIR:-/tmp}/ferry-npm-ci.log"
      tail -20 "${TMPDIR:-/tmp}/ferry-npm-ci.log" >&2
      log "regenerate the lockfile (rm -rf node_modules && npm install) and commit it"
      return 1
    }
  fi
}

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

wait_for() { # wait_for SECONDS CMD...
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -ge $deadline ] && return 1
    sleep 0.2
  done
}

start_dockerd() {
  if docker info >/dev/null 2>&1; then log "using the running Docker engine"; return 0; fi
  log "starting dockerd (--bridge=none: containers use host networking)"
  dockerd --bridge=none --iptables=false --ip-masq=false >"$FERRY_TEST_SERVICES_DIR/dockerd.log" 2>&1 &
  FERRY_STARTED_DOCKERD=$!
  wait_for 60 docker info || { log "dockerd did not start; see $FERRY_TEST_SERVICES_DIR/dockerd.log"; tail -20 "$FERRY_TEST_SERVICES_DIR/dockerd.log" >&2; return 1; }
}

start_redis() {
  local port; port=$(free_port)
  mkdir -p "$FERRY_TEST_SERVICES_DIR/redis"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$FERRY_TEST_SERVICES_DIR/redis" --save '' --appendonly no \
    --maxmemory-policy noeviction --daemonize no >"$FERRY_TEST_SERVICES_DIR/redis.log" 2>&1 &
  FERRY_STARTED_PIDS+=($!)
  wait_for 10 redis-cli -p "$port" ping || { log "redis did not start"; return 1; }
  export FERRY_TEST_REDIS_URL="redis://127.0.0.1:$port"
  log "redis on $FERRY_TEST_REDIS_URL"
}

# A private PostgreSQL cluster in a temp dir, on loopback only (the archive's production database).
# initdb refuses to run as root, so as root the cluster belongs to the `postgres` user the package made.
start_postgres() {
  local port dir as=(); port=$(free_port); dir="$FERRY_TEST_SERVICES_DIR/postgres"
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then
    chmod o+x "$FERRY_TEST_SERVICES_DIR"; chown postgres "$dir"; as=(runuser -u postgres --)
  fi
  "${as[@]}" "$FERRY_PG_BIN/initdb" -D "$dir/data" -U ferry --auth=trust -E UTF8 >"$FERRY_TEST_SERVICES_DIR/postgres-init.log" 2>&1 \
    || { log "initdb failed; see $FERRY_TEST_SERVICES_DIR/postgres-init.log"; return 1; }
  "${as[@]}" "$FERRY_PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w \
    -o "-k $dir -p $port -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null \
    || { log "postgres did not start; see $dir/postgres.log"; return 1; }
  FERRY_STARTED_POSTGRES="$dir/data"
  "${as[@]}" "$FERRY_PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U ferry ferry_test
  export FERRY_TEST_POSTGRES_URL="postgres://ferry@127.0.0.1:$port/ferry_test"
  log "postgres on $FERRY_TEST_POSTGRES_URL"
}

stop_postgres() {
  [ -n "$FERRY_STARTED_POSTGRES" ] || return 0
  local as=(); [ "$(id -u)" = 0 ] && as=(runuser -u postgres --)
  "${as[@]}" "$FERRY_PG_BIN/pg_ctl" -D "$FERRY_STARTED_POSTGRES" -m immediate stop >/dev/null 2>&1 || true
  FERRY_STARTED_POSTGRES=""
}

start_registry() {
  local port dir; port=$(free_port); dir="$FERRY_TEST_SERVICES_DIR/registry"
  mkdir -p "$dir/data"
  export FERRY_TEST_REGISTRY_USER=ferry
  export FERRY_TEST_REGISTRY_PASSWORD="reg-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  htpasswd -Bbn "$FERRY_TEST_REGISTRY_USER" "$FERRY_TEST_REGISTRY_PASSWORD" >"$dir/htpasswd" 2>/dev/null
  cat >"$dir/config.yml" <<YAML
version: 0.1
log: { level: warn }
storage:
  filesystem: { rootdirectory: $dir/data }
  delete: { enabled: true }
http:
  addr: 127.0.0.1:$port
  secret: ferry-test-$port
auth:
  htpasswd: { realm: ferry-test, path: $dir/htpasswd }
YAML
  docker-registry serve "$dir/config.yml" >"$FERRY_TEST_SERVICES_DIR/registry.log" 2>&1 &
  FERRY_STARTED_PIDS+=($!)
  wait_for 15 curl -s -o /dev/null "http://127.0.0.1:$port/v2/" || { log "registry did not start"; return 1; }
  export FERRY_TEST_REGISTRY="127.0.0.1:$port"
  log "registry on $FERRY_TEST_REGISTRY (htpasswd user $FERRY_TEST_REGISTRY_USER)"
}

start_services() {
  FERRY_TEST_SERVICES_DIR=$(mktemp -d /tmp/ferry-services.XXXXXX)
  export FERRY_TEST_SERVICES_DIR
  start_dockerd
  start_redis
  start_postgres
  start_registry
}

stop_services() {
  local pid
  # Containers a killed test run's Kubernetes double left behind: only those whose double process
  # is gone, so a shared engine's containers of another run (another checkout) are left alone.
  if docker info >/dev/null 2>&1; then
    local id owner
    docker ps -a --filter label=ferry.k8s-double --format '{{.ID}} {{.Label "ferry.k8s-double.pid"}}' 2>/dev/null |
      while read -r id owner; do
        { [ -z "$owner" ] || ! kill -0 "$owner" 2>/dev/null; } && docker rm -f "$id" >/dev/null 2>&1
      done || true
  fi
  stop_postgres
  for pid in "${FERRY_STARTED_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${FERRY_STARTED_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$FERRY_STARTED_DOCKERD" != 0 ]; then
    kill "$FERRY_STARTED_DOCKERD" 2>/dev/null || true
    wait "$FERRY_STARTED_DOCKERD" 2>/dev/null || true
  fi
  [ -n "${FERRY_TEST_SERVICES_DIR:-}" ] && rm -rf "$FERRY_TEST_SERVICES_DIR"
}
