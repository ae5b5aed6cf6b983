# shellcheck shell=bash
# Apache Kafka 4.1.2, KRaft, single node (broker + controller) on 127.0.0.1:9092 (controller
# 127.0.0.1:9093), from Maven Central jars resolved with the repository's Maven wrapper
# (deploy/kafka/pom.xml). Creates Governor's topics (deploy/kafka/topics.txt) idempotently.

KAFKA_VERSION=4.1.2
KAFKA_BOOTSTRAP=127.0.0.1:9092
KAFKA_CONTROLLER_PORT=9093
# Fixed KRaft cluster id: 16 bytes ("GovernorKafka001"), base64url without padding.
KAFKA_CLUSTER_ID=R292ZXJub3JLYWZrYTAwMQ
KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xms256m -Xmx768m}

_kafka_dir() { state_dir kafka; }
_kafka_libs() { printf '%s/libs\n' "$(_kafka_dir)"; }
_kafka_pidfile() { printf '%s/kafka.pid\n' "$(_kafka_dir)"; }
_kafka_log() { printf '%s/kafka.log\n' "$(_kafka_dir)"; }
_kafka_java() {
  if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then
    printf '%s\n' "$JAVA_HOME/bin/java"
  else
    command -v java
  fi
}

# Jars: resolved once per Kafka version; a marker file records a complete copy.
_kafka_fetch_libs() {
  local libs
  libs=$(_kafka_libs)
  rm -rf "$libs"
  mvnw -f deploy/kafka/pom.xml dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$libs" || return 1
  [[ -f $libs/kafka_2.13-$KAFKA_VERSION.jar ]] || { err "kafka_2.13-$KAFKA_VERSION.jar missing after resolution"; return 1; }
  printf '%s\n' "$KAFKA_VERSION" >"$libs/.complete"
}

_kafka_ensure_libs() {
  local libs
  libs=$(_kafka_libs)
  if [[ -f $libs/.complete && $(<"$libs/.complete") == "$KAFKA_VERSION" ]]; then
    return 0
  fi
  need_cmd java default-jre-headless || return 1
  step "resolving Kafka $KAFKA_VERSION jars from Maven Central (./mvnw dependency:copy-dependencies -> $libs)" _kafka_fetch_libs
}

# The topic helper (deploy/kafka/EnsureTopics.java), compiled once against the Kafka jars.
_kafka_helper_fresh() {
  local class
  class="$(_kafka_dir)/classes/EnsureTopics.class"
  [[ -f $class && $class -nt $REPO_ROOT/deploy/kafka/EnsureTopics.java && $class -nt $(_kafka_libs)/.complete ]]
}

_kafka_ensure_helper() {
  local src=$REPO_ROOT/deploy/kafka/EnsureTopics.java classes
  classes="$(_kafka_dir)/classes"
  _kafka_helper_fresh && return 0
  local javac
  javac="$(dirname "$(readlink -f "$(_kafka_java)")")/javac"
  if [[ ! -x $javac ]]; then
    need_cmd javac default-jdk-headless || return 1
    javac=$(command -v javac) || { err "javac not found (needs a JDK)"; return 1; }
  fi
  rm -rf "$classes"
  mkdir -p "$classes"
  "$javac" -nowarn -d "$classes" -cp "$(_kafka_libs)/*" "$src"
}

# kafka_java_cmd class args...: a Kafka class on the jars' classpath with the quiet tools logging.
_kafka_run_tool() {
  local class=$1
  shift
  "$(_kafka_java)" -Xms32m -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -Dlog4j2.configurationFile="$REPO_ROOT/deploy/kafka/tools-log4j2.properties" \
    -cp "$(_kafka_dir)/classes:$(_kafka_libs)/*" "$class" "$@"
}

# kafka_tool class args...: used by `scripts/services kafka-topics|kafka-console-*`.
kafka_tool() {
  _kafka_ensure_libs >&2 || return 1
  _kafka_run_tool "$@"
}

_kafka_topics() {
  _kafka_ensure_helper || return 1
  _kafka_run_tool EnsureTopics "$KAFKA_BOOTSTRAP" "$REPO_ROOT/deploy/kafka/topics.txt" "$1" "$2"
}

_kafka_write_config() {
  local dir
  dir=$(_kafka_dir)
  sed "s|@KAFKA_DATA_DIR@|$dir/data|" "$REPO_ROOT/deploy/kafka/server.properties" >"$dir/server.properties"
}

_kafka_format() {
  local dir
  dir=$(_kafka_dir)
  "$(_kafka_java)" -Xmx256m -Dlog4j2.configurationFile="$REPO_ROOT/deploy/kafka/tools-log4j2.properties" \
    -cp "$(_kafka_libs)/*" kafka.tools.StorageTool format --standalone \
    --cluster-id "$KAFKA_CLUSTER_ID" --config "$dir/server.properties" --ignore-formatted
}

# When target/services lost the pid file (e.g. `mvn clean` at the root), find our broker by its
# port and command line, so status/down still work.
_kafka_adopt() {
  local pidfile pid
  pidfile=$(_kafka_pidfile)
  pid_alive "$pidfile" && return 0
  pid=$(pid_listening_on 9092) || return 1
  if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "kafka.Kafka $(_kafka_dir)/server.properties"; then
    adopt_pid "$pid" "$pidfile"
    return 0
  fi
  return 1
}

kafka_up() {
  local dir pidfile log
  dir=$(_kafka_dir)
  pidfile=$(_kafka_pidfile)
  log=$(_kafka_log)
  if _kafka_adopt; then
    say "already running (pid $(pid_of "$pidfile"), $KAFKA_BOOTSTRAP)"
    _kafka_ensure_libs || return 1
  elif port_open 9092; then
    say "already running, but not started by scripts/services ($KAFKA_BOOTSTRAP: $(listener_desc 9092)): using it; 'down' will leave it"
    _kafka_ensure_libs || return 1
  else
    if port_open "$KAFKA_CONTROLLER_PORT"; then
      err "controller port $KAFKA_CONTROLLER_PORT is taken by a process scripts/services did not start"
      port_users "$KAFKA_CONTROLLER_PORT" >&2
      return 1
    fi
    _kafka_ensure_libs || return 1
    _kafka_write_config || return 1
    if [[ ! -f $dir/data/meta.properties ]]; then
      step "formatting KRaft storage $dir/data (StorageTool format --standalone, cluster id $KAFKA_CLUSTER_ID)" \
        _kafka_format || return 1
    fi
    local java
    java=$(_kafka_java)
    # shellcheck disable=SC2086 # heap options are a word list
    step "starting broker+controller (kafka.Kafka $dir/server.properties, log $log)" \
      start_daemon "$pidfile" "$log" "$java" $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
      -Djava.awt.headless=true -Dkafka.logs.dir="$dir" \
      -Dlog4j2.configurationFile="$REPO_ROOT/deploy/kafka/log4j2.properties" \
      -cp "$(_kafka_libs)/*" kafka.Kafka "$dir/server.properties" || return 1
    wait_until "port 9092" "${KAFKA_TIMEOUT:-60}" "$log" "$pidfile" port_open 9092 || return 1
  fi
  if ! _kafka_helper_fresh; then
    step "compiling the topic helper (deploy/kafka/EnsureTopics.java)" _kafka_ensure_helper || return 1
  fi
  step "waiting for a metadata answer and creating topics from deploy/kafka/topics.txt" \
    _kafka_topics "${KAFKA_TIMEOUT:-60}" ensure || {
    show_log_tail "$log"
    return 1
  }
}

kafka_down() {
  local pidfile
  pidfile=$(_kafka_pidfile)
  if ! _kafka_adopt; then
    rm -f "$pidfile"
    if port_open 9092; then
      say "port 9092 is served by a process scripts/services did not start ($(listener_desc 9092)): leaving it running"
    else
      say "not running"
    fi
    return 0
  fi
  step "stopping broker (pid $(pid_of "$pidfile"), controlled shutdown)" stop_daemon "$pidfile" 60
}

kafka_status() {
  local pidfile
  pidfile=$(_kafka_pidfile)
  if _kafka_adopt && port_open 9092; then
    printf '%-9s UP    %-22s pid %s, KRaft %s, controller 127.0.0.1:%s, log %s\n' \
      kafka "$KAFKA_BOOTSTRAP" "$(pid_of "$pidfile")" "$KAFKA_VERSION" "$KAFKA_CONTROLLER_PORT" "$(_kafka_log)"
    return 0
  fi
  if port_open 9092; then
    printf '%-9s UP    %-22s not started by scripts/services: %s\n' kafka "$KAFKA_BOOTSTRAP" "$(listener_desc 9092)"
    return 0
  fi
  if pid_alive "$pidfile"; then
    printf '%-9s START %-22s pid %s, not accepting connections yet\n' kafka "$KAFKA_BOOTSTRAP" "$(pid_of "$pidfile")"
  else
    printf '%-9s DOWN  %-22s\n' kafka "$KAFKA_BOOTSTRAP"
  fi
  return 1
}

kafka_check() {
  _kafka_ensure_libs || return 1
  _kafka_topics 15 check
}
