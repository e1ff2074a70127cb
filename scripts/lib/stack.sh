# Shared by scripts/kafka.sh, scripts/minio.sh and scripts/services.sh (sourced, not run).
# The stack is for tests and local development only: it listens on 127.0.0.1 and the credentials
# below are throw-away test credentials, never real ones.

STACK_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STACK_CACHE="$STACK_ROOT/.cache"
STACK_RUN="$STACK_CACHE/run"

# Ports are overridable so a second checkout (or a busy machine) can move the stack.
KAFKA_PORT=${WINE_TUI_STACK_KAFKA_PORT:-29092}
KAFKA_SASL_PORT=${WINE_TUI_STACK_KAFKA_SASL_PORT:-29093}
KAFKA_CONTROLLER_PORT=${WINE_TUI_STACK_KAFKA_CONTROLLER_PORT:-29094}
# TLS listeners (certificates from lib/tls.sh): SSL, SASL_SSL/PLAIN, SASL_SSL/SCRAM-SHA-512, SSL
# with a required client certificate, and SSL with a certificate made for another host.
KAFKA_SSL_PORT=${WINE_TUI_STACK_KAFKA_SSL_PORT:-29095}
KAFKA_SASL_SSL_PORT=${WINE_TUI_STACK_KAFKA_SASL_SSL_PORT:-29096}
KAFKA_SCRAM_PORT=${WINE_TUI_STACK_KAFKA_SCRAM_PORT:-29097}
KAFKA_MTLS_PORT=${WINE_TUI_STACK_KAFKA_MTLS_PORT:-29098}
KAFKA_WRONG_HOST_PORT=${WINE_TUI_STACK_KAFKA_WRONG_HOST_PORT:-29099}
KAFKA_SASL_USERNAME=winetui
KAFKA_SASL_PASSWORD=winetui-secret
KAFKA_SCRAM_USERNAME=winetui-scram
KAFKA_SCRAM_PASSWORD=winetui-scram-secret
MINIO_PORT=${WINE_TUI_STACK_MINIO_PORT:-29000}
MINIO_CONSOLE_PORT=${WINE_TUI_STACK_MINIO_CONSOLE_PORT:-29001}
MINIO_ROOT_USER=winetui
MINIO_ROOT_PASSWORD=winetui-secret-key
STACK_REGION=us-east-1
STACK_BUCKET=wines-models

# Everything human-readable goes to stderr: stdout of services.sh is meant for `eval`.
log() { printf '[%s] %s\n' "$STACK_NAME" "$*" >&2; }
fail() {
  # One line that the vitest global setup picks up as the reason to skip.
  printf '[%s] FAILED: %s\n' "$STACK_NAME" "$*" >&2
  exit 1
}

need() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || fail "$tool not found on PATH"
  done
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Runs a noisy build step quietly; its whole output is shown only if it fails.
quietly() {
  local out
  out=$(mktemp)
  if "$@" >"$out" 2>&1; then
    rm -f "$out"
  else
    local rc=$?
    cat "$out" >&2
    rm -f "$out"
    return "$rc"
  fi
}

# The pid in $1 if that process is alive and is really ours (its command line names $2),
# which guards against a recycled pid.
our_pid() {
  local pidfile=$1 marker=$2 pid
  [[ -f $pidfile ]] || return 1
  pid=$(<"$pidfile")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$marker" || return 1
  echo "$pid"
}

# Serialises up/down of one service across concurrent callers (several test runs may share it).
lock_service() {
  mkdir -p "$STACK_RUN"
  exec 9>"$STACK_RUN/$STACK_NAME.lock"
  flock 9
}

# Alive and not a zombie (a broker that died at startup stays our zombie child until we exit).
alive() {
  local state
  state=$(ps -o stat= -p "$1" 2>/dev/null) && [[ $state != Z* ]]
}

# Waits until $1 (a command) succeeds, for at most $2 seconds, while process $3 lives.
# Returns 1 on timeout, 2 if the process died.
wait_for() {
  local check=$1 pid=$3 deadline=$((SECONDS + $2))
  until $check; do
    alive "$pid" || return 2
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
}

# SIGTERM, then SIGKILL after $3 seconds; removes the pid file.
stop_pid() {
  local pidfile=$1 marker=$2 grace=$3 pid
  if ! pid=$(our_pid "$pidfile" "$marker"); then
    rm -f "$pidfile"
    log "not running"
    return 0
  fi
  log "stopping pid $pid"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + grace))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then
    log "still alive after ${grace}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
  fi
  rm -f "$pidfile"
  log "stopped"
}
