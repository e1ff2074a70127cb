#!/usr/bin/env bash
# Single-node MinIO on 127.0.0.1 for tests and development.
#   bash scripts/minio.sh up|down|status|version
# S3 API on $WINE_TUI_STACK_MINIO_PORT (29000), console on $WINE_TUI_STACK_MINIO_CONSOLE_PORT (29001).
# The binary is built from source with `go install` into .cache/minio/bin (first run only, a few
# minutes); data, logs and pid live in .cache/run/minio/. `down` stops only the process `up` started.
set -euo pipefail
STACK_NAME=minio
# shellcheck source=lib/stack.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/stack.sh"

MINIO_MODULE=github.com/minio/minio
# Pinned to a commit (MinIO no longer publishes tagged Go module versions).
MINIO_VERSION=${WINE_TUI_STACK_MINIO_VERSION:-v0.0.0-20260212201848-7aac2a2c5b7c}
BIN_DIR="$STACK_CACHE/minio/bin"
BIN="$BIN_DIR/minio"
STAMP="$BIN_DIR/minio.version"
RUN="$STACK_RUN/minio"
PIDFILE="$RUN/minio.pid"
DATA="$RUN/data" # on the server's command line, so it also identifies our process
ENDPOINT="http://127.0.0.1:$MINIO_PORT"
READY_SECONDS=${WINE_TUI_STACK_READY_TIMEOUT:-120}
STOP_SECONDS=20

ensure_binary() {
  [[ -x $BIN && -f $STAMP && $(<"$STAMP") == "$MINIO_VERSION" ]] && return 0
  need go
  log "building MinIO $MINIO_VERSION with go install (first run only, can take several minutes)"
  local tmp="$BIN_DIR.partial"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  # From a neutral directory, so no go.mod/go.work around the repo can influence the build.
  if ! (cd "$tmp" && export GOBIN="$tmp" && quietly go install "$MINIO_MODULE@$MINIO_VERSION"); then
    rm -rf "$tmp"
    fail "go install $MINIO_MODULE@$MINIO_VERSION failed (its output is above)"
  fi
  echo "$MINIO_VERSION" >"$tmp/minio.version"
  rm -rf "$BIN_DIR"
  mv "$tmp" "$BIN_DIR"
}

live() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsS -o /dev/null --max-time 3 "$ENDPOINT/minio/health/live" 2>/dev/null
  else
    port_open "$MINIO_PORT"
  fi
}

wait_ready() {
  local started=$SECONDS rc=0
  wait_for live "$READY_SECONDS" "$(<"$PIDFILE")" || rc=$?
  case $rc in
    0) log "ready on $ENDPOINT (console http://127.0.0.1:$MINIO_CONSOLE_PORT) in $((SECONDS - started))s" ;;
    *)
      log "last lines of $RUN/logs/minio.log:"
      tail -n 25 "$RUN/logs/minio.log" 2>/dev/null | sed 's/^/    /' >&2 || true
      ((rc == 2)) && fail "MinIO exited during startup"
      fail "MinIO did not become live within ${READY_SECONDS}s"
      ;;
  esac
}

up() {
  lock_service
  local pid
  if pid=$(our_pid "$PIDFILE" "$DATA"); then
    if live; then
      log "already running (pid $pid)"
      return 0
    fi
    log "pid $pid is not answering yet, waiting"
    wait_ready
    return 0
  fi
  local port
  for port in "$MINIO_PORT" "$MINIO_CONSOLE_PORT"; do
    port_open "$port" && fail "port $port is in use by another process"
  done
  ensure_binary
  mkdir -p "$DATA" "$RUN/logs"
  log "starting MinIO $MINIO_VERSION"
  # Credentials go through the environment, never the command line (ps would show them).
  # setsid, no inherited stdio and no lock fd: see scripts/kafka.sh.
  (
    cd "$RUN"
    export MINIO_ROOT_USER MINIO_ROOT_PASSWORD MINIO_UPDATE=off MINIO_REGION="$STACK_REGION"
    exec setsid "$BIN" server "$DATA" --address "127.0.0.1:$MINIO_PORT" \
      --console-address "127.0.0.1:$MINIO_CONSOLE_PORT" \
      </dev/null >"$RUN/logs/minio.log" 2>&1 9>&-
  ) &
  echo $! >"$PIDFILE"
  wait_ready
}

down() {
  lock_service
  stop_pid "$PIDFILE" "$DATA" "$STOP_SECONDS"
}

status() {
  local pid
  if pid=$(our_pid "$PIDFILE" "$DATA"); then
    if live; then
      echo "minio: running (pid $pid) on $ENDPOINT"
      return 0
    fi
    echo "minio: pid $pid alive but $ENDPOINT is not live"
    return 1
  fi
  echo "minio: stopped"
  return 3
}

version() {
  lock_service
  ensure_binary
  # `minio --version` says DEVELOPMENT.GOGET for go-install builds; the module version is the truth.
  local built=$MINIO_VERSION toolchain=''
  if command -v go >/dev/null 2>&1; then
    built=$(go version -m "$BIN" | awk '$1 == "mod" && $2 == "'"$MINIO_MODULE"'" {print $3}')
    toolchain=" (built with $(go version "$BIN" | awk '{print $2}'))"
  fi
  echo "MinIO $MINIO_MODULE@$built$toolchain"
}

case ${1:-} in
  up | down | status | version) "$1" ;;
  *)
    echo "usage: $0 up|down|status|version" >&2
    exit 2
    ;;
esac
