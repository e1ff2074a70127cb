#!/usr/bin/env bash
# Single-node Apache Kafka (KRaft broker+controller) on 127.0.0.1 for tests and development.
#   bash scripts/kafka.sh up|down|status|version
# Listeners: PLAINTEXT $WINE_TUI_STACK_KAFKA_PORT (29092), SASL_PLAINTEXT/PLAIN
# $WINE_TUI_STACK_KAFKA_SASL_PORT (29093), CONTROLLER $WINE_TUI_STACK_KAFKA_CONTROLLER_PORT (29094),
# and with the private CA of lib/tls.sh: SSL ..._SSL_PORT (29095), SASL_SSL/PLAIN ..._SASL_SSL_PORT
# (29096), SASL_SSL/SCRAM-SHA-512 ..._SCRAM_PORT (29097), SSL with a required client certificate
# ..._MTLS_PORT (29098), SSL with a certificate for another host ..._WRONG_HOST_PORT (29099).
# The broker's jars come from Maven Central (scripts/kafka/pom.xml) into .cache/kafka/<version>/libs;
# data, logs and pid live in .cache/run/kafka/. `down` stops only the process `up` started.
set -euo pipefail
STACK_NAME=kafka
# shellcheck source=lib/stack.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/stack.sh"
# shellcheck source=lib/tls.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/tls.sh"

POM="$STACK_ROOT/scripts/kafka/pom.xml"
KAFKA_VERSION=${WINE_TUI_STACK_KAFKA_VERSION:-$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM")}
LIBS="$STACK_CACHE/kafka/$KAFKA_VERSION/libs"
RUN="$STACK_RUN/kafka"
PIDFILE="$RUN/kafka.pid"
PROPS="$RUN/server.properties" # on the broker's command line, so it also identifies our process
SCRAM_MARK="$RUN/scram-user-added" # removed whenever the data folder is formatted anew
LISTENER_PORTS=("$KAFKA_PORT" "$KAFKA_SASL_PORT" "$KAFKA_SSL_PORT" "$KAFKA_SASL_SSL_PORT"
  "$KAFKA_SCRAM_PORT" "$KAFKA_MTLS_PORT" "$KAFKA_WRONG_HOST_PORT")
READY_SECONDS=${WINE_TUI_STACK_READY_TIMEOUT:-120}
STOP_SECONDS=30

ensure_libs() {
  # The stamp is the pom's digest, so a changed pom fetches the jars again.
  local stamp
  stamp=$(sha256sum "$POM" | cut -c1-64)
  [[ -f $LIBS/.complete && $(<"$LIBS/.complete") == "$stamp" ]] && return 0
  need java mvn
  log "downloading Apache Kafka $KAFKA_VERSION from Maven Central (first run only)"
  local tmp="$LIBS.partial"
  rm -rf "$tmp"
  if ! quietly mvn -q -B -f "$POM" dependency:copy-dependencies -DincludeScope=runtime \
    -Dkafka.version="$KAFKA_VERSION" -DoutputDirectory="$tmp"; then
    rm -rf "$tmp"
    fail "mvn could not fetch Kafka $KAFKA_VERSION (its output is above)"
  fi
  rm -rf "$LIBS"
  mv "$tmp" "$LIBS"
  echo "$stamp" >"$LIBS/.complete"
}

JAVA_OPTS=(-Xms128m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true
  -Dlog4j2.configurationFile="$RUN/log4j2.xml" -cp "$LIBS/*")
kafka_java() { java "${JAVA_OPTS[@]}" "$@"; }

write_config() {
  mkdir -p "$RUN/data" "$RUN/logs"
  cat >"$RUN/log4j2.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by scripts/kafka.sh: broker logs go to a bounded file, never to the terminal. -->
<Configuration status="WARN">
  <Appenders>
    <RollingFile name="file" fileName="$RUN/logs/server.log" filePattern="$RUN/logs/server.log.%i">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
      <SizeBasedTriggeringPolicy size="20 MB"/>
      <DefaultRolloverStrategy max="2"/>
    </RollingFile>
  </Appenders>
  <Loggers>
    <Root level="INFO"><AppenderRef ref="file"/></Root>
    <Logger name="kafka.request.logger" level="WARN"/>
    <Logger name="org.apache.kafka.controller" level="INFO"/>
  </Loggers>
</Configuration>
EOF
  local on=127.0.0.1
  local clients="PLAINTEXT://$on:$KAFKA_PORT,SASL_PLAINTEXT://$on:$KAFKA_SASL_PORT,SSL://$on:$KAFKA_SSL_PORT,SASL_SSL://$on:$KAFKA_SASL_SSL_PORT,SCRAM://$on:$KAFKA_SCRAM_PORT,MTLS://$on:$KAFKA_MTLS_PORT,WRONG_HOST://$on:$KAFKA_WRONG_HOST_PORT"
  local plain="org.apache.kafka.common.security.plain.PlainLoginModule required user_$KAFKA_SASL_USERNAME=\"$KAFKA_SASL_PASSWORD\";"
  cat >"$PROPS" <<EOF
# Written by scripts/kafka.sh on every start; edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=$clients,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=$clients
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL,SASL_SSL:SASL_SSL,SCRAM:SASL_SSL,MTLS:SSL,WRONG_HOST:SSL,CONTROLLER:PLAINTEXT
sasl.enabled.mechanisms=PLAIN
listener.name.sasl_plaintext.plain.sasl.jaas.config=$plain
listener.name.sasl_ssl.plain.sasl.jaas.config=$plain
listener.name.scram.sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.scram.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
ssl.keystore.type=PEM
ssl.keystore.location=$TLS_BROKER
ssl.truststore.type=PEM
ssl.truststore.location=$TLS_CA
listener.name.mtls.ssl.client.auth=required
listener.name.wrong_host.ssl.keystore.location=$TLS_WRONG_HOST
log.dirs=$RUN/data
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=3
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
EOF
}

format_storage() {
  [[ -f $RUN/data/meta.properties ]] && return 0
  local cluster_id
  cluster_id=$(kafka_java kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1)
  [[ -n $cluster_id ]] || fail "StorageTool random-uuid printed nothing"
  rm -f "$SCRAM_MARK"
  # No --standalone: it conflicts with the static controller.quorum.voters above.
  quietly kafka_java kafka.tools.StorageTool format -t "$cluster_id" -c "$PROPS" \
    --add-scram "SCRAM-SHA-512=[name=$KAFKA_SCRAM_USERNAME,password=$KAFKA_SCRAM_PASSWORD]" ||
    fail "could not format $RUN/data (StorageTool output is above)"
  touch "$SCRAM_MARK"
}

# Data folders formatted before the SCRAM listener existed lack its user: add it to the running
# broker once (an upsert, so running it again is harmless).
ensure_scram_user() {
  [[ -f $SCRAM_MARK ]] && return 0
  log "adding the SCRAM-SHA-512 user $KAFKA_SCRAM_USERNAME"
  quietly kafka_java org.apache.kafka.tools.ConfigCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" \
    --alter --entity-type users --entity-name "$KAFKA_SCRAM_USERNAME" \
    --add-config "SCRAM-SHA-512=[password=$KAFKA_SCRAM_PASSWORD]" ||
    fail "could not add the SCRAM user (ConfigCommand output is above)"
  touch "$SCRAM_MARK"
}

other_listeners() {
  echo "SASL_PLAINTEXT $KAFKA_SASL_PORT, SSL $KAFKA_SSL_PORT, SASL_SSL $KAFKA_SASL_SSL_PORT," \
    "SCRAM $KAFKA_SCRAM_PORT, mTLS $KAFKA_MTLS_PORT, wrong host $KAFKA_WRONG_HOST_PORT"
}

# Every client listener answers (a broker started by an older version of this script lacks some).
all_listeners_open() {
  local port
  for port in "${LISTENER_PORTS[@]}"; do
    port_open "$port" || {
      log "nothing listens on 127.0.0.1:$port"
      return 1
    }
  done
}

healthy() {
  port_open "$KAFKA_PORT" || return 1
  [[ -x $STACK_ROOT/node_modules/.bin/tsx ]] || fail "node_modules missing: run npm ci first"
  "$STACK_ROOT/node_modules/.bin/tsx" "$STACK_ROOT/scripts/kafka-ready.ts" "127.0.0.1:$KAFKA_PORT" "$1"
}

show_log_tail() {
  log "last lines of $RUN/logs:"
  tail -n 25 "$RUN/logs/kafka.out" "$RUN/logs/server.log" 2>/dev/null | sed 's/^/    /' >&2 || true
}

wait_ready() {
  local started=$SECONDS rc=0
  wait_for "port_open $KAFKA_PORT" "$READY_SECONDS" "$(<"$PIDFILE")" || rc=$?
  if ((rc == 0)); then
    healthy $((READY_SECONDS - (SECONDS - started) + 1)) || rc=1
  fi
  if ((rc == 0)) && ! all_listeners_open; then rc=1; fi
  case $rc in
    0) log "ready on 127.0.0.1:$KAFKA_PORT ($(other_listeners)) in $((SECONDS - started))s" ;;
    2) show_log_tail && fail "the broker exited during startup (rm -rf $RUN/data resets its data)" ;;
    *) show_log_tail && fail "the broker did not answer within ${READY_SECONDS}s" ;;
  esac
}

up() {
  need java
  lock_service
  local pid
  if pid=$(our_pid "$PIDFILE" "$PROPS"); then
    if healthy 10 2>/dev/null; then
      all_listeners_open ||
        fail "pid $pid was started without these listeners: restart it (bash scripts/kafka.sh down, then up)"
      log "already running (pid $pid)"
    else
      log "pid $pid is not answering yet, waiting"
      wait_ready
    fi
    ensure_scram_user
    return 0
  fi
  local port
  for port in "${LISTENER_PORTS[@]}" "$KAFKA_CONTROLLER_PORT"; do
    port_open "$port" && fail "port $port is in use by another process"
  done
  ensure_libs
  ensure_tls
  write_config
  format_storage
  log "starting Apache Kafka $KAFKA_VERSION"
  # setsid: the broker outlives this script and ignores Ctrl-C aimed at whoever called it.
  # No inherited stdio (a caller reading our stdout would wait for the broker) and not the lock.
  (cd "$RUN" && exec setsid java "${JAVA_OPTS[@]}" kafka.Kafka "$PROPS" \
    </dev/null >"$RUN/logs/kafka.out" 2>&1 9>&-) &
  echo $! >"$PIDFILE"
  wait_ready
  ensure_scram_user
}

down() {
  lock_service
  stop_pid "$PIDFILE" "$PROPS" "$STOP_SECONDS"
}

status() {
  local pid
  if pid=$(our_pid "$PIDFILE" "$PROPS"); then
    if port_open "$KAFKA_PORT"; then
      echo "kafka: running (pid $pid) on 127.0.0.1:$KAFKA_PORT ($(other_listeners))"
      return 0
    fi
    echo "kafka: pid $pid alive but 127.0.0.1:$KAFKA_PORT is not answering"
    return 1
  fi
  echo "kafka: stopped"
  return 3
}

version() {
  lock_service
  ensure_libs
  need java
  # kafka.Kafka --version reports what the jars really are, not what the pom asked for.
  echo "Apache Kafka $(java -cp "$LIBS/*" kafka.Kafka --version 2>/dev/null | head -n1)"
}

case ${1:-} in
  up | down | status | version) "$1" ;;
  *)
    echo "usage: $0 up|down|status|version" >&2
    exit 2
    ;;
esac
