#!/usr/bin/env bash
# The real-services stack (Kafka + MinIO on 127.0.0.1) for development and integration tests.
#   bash scripts/services.sh up [kafka] [minio]
#                                      start (default both), create topics and bucket, print exports
#   bash scripts/services.sh down      stop what `up` started
#   bash scripts/services.sh status    one line per service; exit 0 only if both run
#   bash scripts/services.sh env       the exports that point wine-tui at the stack
#   bash scripts/services.sh env-tls   the same, but to Kafka over SASL_SSL (PLAIN, the stack's CA)
#   bash scripts/services.sh test-env  WINE_TUI_TEST_* exports for the services running now
# Only `export` lines and `#` comments go to stdout, so this works: eval "$(npm run -s services:up)"
set -euo pipefail
STACK_NAME=services
# shellcheck source=lib/stack.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/stack.sh"
# shellcheck source=lib/tls.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/tls.sh"
HERE="$STACK_ROOT/scripts"
TSX="$STACK_ROOT/node_modules/.bin/tsx"

emit() { printf 'export %s=%q\n' "$1" "$2"; }

kafka_env() {
  emit WINE_TUI_BROKERS "127.0.0.1:$KAFKA_PORT"
  echo "# Kafka over SASL_SSL (PLAIN, the stack's private CA) instead: eval \"\$(bash $HERE/services.sh env-tls)\""
}

# wine-tui reads security.protocol and the ssl.* keys from its config file only, so SASL_SSL gets
# a config folder of its own.
TLS_CONFIG_DIR="$STACK_RUN/kafka/sasl-ssl-config"
kafka_tls_env() {
  mkdir -p "$TLS_CONFIG_DIR"
  cat >"$TLS_CONFIG_DIR/kafka_config.yaml" <<YAML
# Written by scripts/services.sh env-tls: wine-tui to the local test broker over SASL_SSL.
bootstrap.servers: 127.0.0.1:$KAFKA_SASL_SSL_PORT
security.protocol: SASL_SSL
sasl.mechanisms: PLAIN
sasl.username: $KAFKA_SASL_USERNAME
sasl.password: \${WINE_TUI_STACK_SASL_PASSWORD}
ssl.ca.location: $TLS_CA
YAML
  emit WINE_TUI_CONFIG_DIR "$TLS_CONFIG_DIR"
  emit WINE_TUI_STACK_SASL_PASSWORD "$KAFKA_SASL_PASSWORD"
  # The same as the file says, replacing a PLAINTEXT address an earlier `env` may have exported.
  emit WINE_TUI_BROKERS "127.0.0.1:$KAFKA_SASL_SSL_PORT"
}

s3_env() {
  emit WINE_TUI_S3_ENDPOINT "http://127.0.0.1:$MINIO_PORT"
  emit WINE_TUI_BUCKET "$STACK_BUCKET"
  emit WINE_TUI_S3_PATH_STYLE true
  emit AWS_REGION "$STACK_REGION"
  emit AWS_ACCESS_KEY_ID "$MINIO_ROOT_USER"
  emit AWS_SECRET_ACCESS_KEY "$MINIO_ROOT_PASSWORD"
}

up() {
  local want=("$@") kafka_ok=0 s3_ok=0 kafka_pid='' s3_pid='' service
  ((${#want[@]})) || want=(kafka minio)
  # In parallel: the first run downloads Kafka while MinIO builds.
  for service in "${want[@]}"; do
    case $service in
      kafka) bash "$HERE/kafka.sh" up & kafka_pid=$! ;;
      minio) bash "$HERE/minio.sh" up & s3_pid=$! ;;
      *) fail "unknown service $service (kafka, minio)" ;;
    esac
  done
  [[ -n $kafka_pid ]] && { wait "$kafka_pid" && kafka_ok=1; }
  [[ -n $s3_pid ]] && { wait "$s3_pid" && s3_ok=1; }

  # provision.ts reads the very exports printed below. (The SDK nags about Node 20 on every run.)
  export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
  eval "$(kafka_env)"
  eval "$(s3_env)"
  export WINE_TUI_BROKERS WINE_TUI_S3_ENDPOINT WINE_TUI_BUCKET AWS_REGION AWS_ACCESS_KEY_ID \
    AWS_SECRET_ACCESS_KEY
  if ((kafka_ok)); then
    "$TSX" "$HERE/provision.ts" --kafka &
    kafka_pid=$!
    (bash "$HERE/kafka.sh" version | sed 's/^/[kafka] version: /' >&2) &
  fi
  if ((s3_ok)); then
    "$TSX" "$HERE/provision.ts" --s3 &
    s3_pid=$!
    (bash "$HERE/minio.sh" version | sed 's/^/[minio] version: /' >&2) &
  fi
  ((kafka_ok)) && { wait "$kafka_pid" || kafka_ok=0; }
  ((s3_ok)) && { wait "$s3_pid" || s3_ok=0; }
  wait # the version lines

  ((kafka_ok)) && kafka_env
  ((s3_ok)) && s3_env
  if [[ -n $kafka_pid && $kafka_ok == 0 || -n $s3_pid && $s3_ok == 0 ]]; then
    log "up: incomplete, see FAILED lines above"
    return 1
  fi
  ((kafka_ok)) && log "Kafka 127.0.0.1:$KAFKA_PORT (SASL_PLAINTEXT $KAFKA_SASL_PORT, SASL_SSL $KAFKA_SASL_SSL_PORT)"
  ((s3_ok)) && log "MinIO http://127.0.0.1:$MINIO_PORT (console http://127.0.0.1:$MINIO_CONSOLE_PORT)"
  return 0
}

down() {
  local rc=0 kafka_pid s3_pid
  bash "$HERE/kafka.sh" down &
  kafka_pid=$!
  bash "$HERE/minio.sh" down &
  s3_pid=$!
  wait "$kafka_pid" || rc=1
  wait "$s3_pid" || rc=1
  return "$rc"
}

status() {
  local rc=0
  bash "$HERE/kafka.sh" status || rc=1
  bash "$HERE/minio.sh" status || rc=1
  return "$rc"
}

print_env() {
  kafka_env
  s3_env
}

print_tls_env() {
  kafka_tls_env
  s3_env
}

test_env() {
  if bash "$HERE/kafka.sh" status >/dev/null; then
    emit WINE_TUI_TEST_KAFKA_BROKERS "127.0.0.1:$KAFKA_PORT"
    emit WINE_TUI_TEST_KAFKA_SASL_BROKERS "127.0.0.1:$KAFKA_SASL_PORT"
    emit WINE_TUI_TEST_KAFKA_SASL_USERNAME "$KAFKA_SASL_USERNAME"
    emit WINE_TUI_TEST_KAFKA_SASL_PASSWORD "$KAFKA_SASL_PASSWORD"
    emit WINE_TUI_TEST_KAFKA_SSL_BROKERS "127.0.0.1:$KAFKA_SSL_PORT"
    emit WINE_TUI_TEST_KAFKA_SASL_SSL_BROKERS "127.0.0.1:$KAFKA_SASL_SSL_PORT"
    emit WINE_TUI_TEST_KAFKA_SCRAM_BROKERS "127.0.0.1:$KAFKA_SCRAM_PORT"
    emit WINE_TUI_TEST_KAFKA_SCRAM_USERNAME "$KAFKA_SCRAM_USERNAME"
    emit WINE_TUI_TEST_KAFKA_SCRAM_PASSWORD "$KAFKA_SCRAM_PASSWORD"
    emit WINE_TUI_TEST_KAFKA_MTLS_BROKERS "127.0.0.1:$KAFKA_MTLS_PORT"
    emit WINE_TUI_TEST_KAFKA_WRONG_HOST_BROKERS "127.0.0.1:$KAFKA_WRONG_HOST_PORT"
    emit WINE_TUI_TEST_KAFKA_CA "$TLS_CA"
    emit WINE_TUI_TEST_KAFKA_OTHER_CA "$TLS_OTHER_CA"
    emit WINE_TUI_TEST_KAFKA_CLIENT_CERT "$TLS_CLIENT_CERT"
    emit WINE_TUI_TEST_KAFKA_CLIENT_KEY "$TLS_CLIENT_KEY"
    emit WINE_TUI_TEST_KAFKA_CLIENT_KEY_ENCRYPTED "$TLS_CLIENT_KEY_ENCRYPTED"
    emit WINE_TUI_TEST_KAFKA_CLIENT_KEY_PASSWORD "$KAFKA_CLIENT_KEY_PASSWORD"
  fi
  if bash "$HERE/minio.sh" status >/dev/null; then
    emit WINE_TUI_TEST_S3_ENDPOINT "http://127.0.0.1:$MINIO_PORT"
    emit WINE_TUI_TEST_S3_REGION "$STACK_REGION"
    emit WINE_TUI_TEST_S3_ACCESS_KEY "$MINIO_ROOT_USER"
    emit WINE_TUI_TEST_S3_SECRET_KEY "$MINIO_ROOT_PASSWORD"
  fi
}

case ${1:-} in
  up) shift && up "$@" ;;
  down | status) "$1" ;;
  env) print_env ;;
  env-tls) print_tls_env ;;
  test-env) test_env ;;
  *)
    echo "usage: $0 up [kafka] [minio] | down | status | env | env-tls | test-env" >&2
    exit 2
    ;;
esac
