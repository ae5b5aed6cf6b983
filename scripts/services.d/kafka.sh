# shellcheck shell=bash
# Apache Kafka 4.1.2, KRaft, single node (broker + controller) on 127.0.0.1:9092 (controller
# 127.0.0.1:9093), from Maven Central jars resolved with the repository's Maven wrapper
# (deploy/kafka/pom.xml). Clients authenticate with SASL/SCRAM-SHA-512 (the users of
# deploy/kafka/users.txt) and are authorised by ACLs (deploy/kafka/acls.txt); TLS when a keystore
# is configured. Creates Governor's topics (deploy/kafka/topics.txt), users and ACLs idempotently.
#
# Environment:
#   GOVERNOR_SERVICES_KAFKA_PORT / _CONTROLLER_PORT   ports (default 9092 / 9093), e.g. a second
#                                                     broker beside someone else's
#   GOVERNOR_SERVICES_KAFKA_PASSWORD_<USER>           replaces a demo password of users.txt
#   GOVERNOR_SERVICES_KAFKA_KEYSTORE (+ _PASSWORD)    PKCS#12 key and certificate of the broker:
#                                                     the client listener becomes SASL_SSL
#   GOVERNOR_SERVICES_KAFKA_TRUSTSTORE (+ _PASSWORD)  PKCS#12 with the CA that signed it, for the
#                                                     broker's own connections and for the tools
#   GOVERNOR_KAFKA_USER / GOVERNOR_KAFKA_PASSWORD     who the Kafka tools log in as (default
#                                                     governor-admin, password from users.txt)
#   GOVERNOR_KAFKA_SECURITY_PROTOCOL                  the tools' protocol; PLAINTEXT for an
#                                                     embedded run (no authentication there)

KAFKA_VERSION=4.1.2
KAFKA_PORT=${GOVERNOR_SERVICES_KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${GOVERNOR_SERVICES_KAFKA_CONTROLLER_PORT:-9093}
KAFKA_BOOTSTRAP=127.0.0.1:$KAFKA_PORT
# Fixed KRaft cluster id: 16 bytes ("GovernorKafka001"), base64url without padding.
KAFKA_CLUSTER_ID=R292ZXJub3JLYWZrYTAwMQ
KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xms256m -Xmx768m}
KAFKA_USERS_FILE=$REPO_ROOT/deploy/kafka/users.txt
KAFKA_ACLS_FILE=$REPO_ROOT/deploy/kafka/acls.txt
KAFKA_ADMIN_USER=governor-admin
# What kafka_up formatted the storage with; a data directory formatted otherwise is refused.
KAFKA_FORMAT_MARK="sasl=SCRAM-SHA-512 controller=127.0.0.1:$KAFKA_CONTROLLER_PORT"

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

# ---------------------------------------------------------------- users and client settings

# _kafka_password user: the user's password: GOVERNOR_SERVICES_KAFKA_PASSWORD_<USER> if set, else
# users.txt's demo value. Passwords go into JAAS strings and properties files: no spaces, quotes
# or backslashes.
_kafka_password() {
  local user=$1 var pw
  var="GOVERNOR_SERVICES_KAFKA_PASSWORD_$(printf '%s' "$user" | tr 'a-z-' 'A-Z_')"
  pw=${!var:-}
  if [[ -z $pw ]]; then
    pw=$(sed 's/#.*//' "$KAFKA_USERS_FILE" | awk -v u="$user" '$1 == u { print $2; exit }')
  fi
  if [[ -z $pw ]]; then
    err "no password for Kafka user '$user': not in deploy/kafka/users.txt and $var is not set"
    return 1
  fi
  if [[ $pw =~ [[:space:]\"\\] ]]; then
    err "the password of Kafka user '$user' may not contain spaces, quotes or backslashes"
    return 1
  fi
  printf '%s\n' "$pw"
}

# _kafka_users [role...]: "user role" lines of users.txt, only those roles when given.
_kafka_users() {
  sed 's/#.*//' "$KAFKA_USERS_FILE" | awk -v roles=" $* " 'NF == 3 && (roles == "  " || index(roles, " " $3 " ")) { print $1, $3 }'
}

# users.txt with every password resolved, readable by its owner only: EnsureAccess reads it.
_kafka_write_users() {
  local out user role pw
  out="$(_kafka_dir)/users.txt"
  (umask 077 && : >"$out")
  while read -r user role; do
    pw=$(_kafka_password "$user") || return 1
    printf '%s %s %s\n' "$user" "$pw" "$role" >>"$out"
  done < <(_kafka_users)
}

_kafka_tls() { [[ -n ${GOVERNOR_SERVICES_KAFKA_KEYSTORE:-} ]]; }
_kafka_client_protocol() { if _kafka_tls; then echo SASL_SSL; else echo SASL_PLAINTEXT; fi; }

# _kafka_client_config file bootstrap protocol [user password]: a Kafka client properties file
# (owner-only) for the tools and the helpers.
_kafka_client_config() {
  local file=$1 bootstrap=$2 protocol=$3 user=${4:-} password=${5:-}
  (
    umask 077
    {
      printf 'bootstrap.servers=%s\nsecurity.protocol=%s\n' "$bootstrap" "$protocol"
      if [[ $protocol == SASL_* ]]; then
        printf 'sasl.mechanism=SCRAM-SHA-512\n'
        printf 'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="%s" password="%s";\n' \
          "$user" "$password"
      fi
      if [[ $protocol == *SSL && -n ${GOVERNOR_SERVICES_KAFKA_TRUSTSTORE:-} ]]; then
        printf 'ssl.truststore.type=PKCS12\nssl.truststore.location=%s\nssl.truststore.password=%s\n' \
          "$GOVERNOR_SERVICES_KAFKA_TRUSTSTORE" "${GOVERNOR_SERVICES_KAFKA_TRUSTSTORE_PASSWORD:-}"
      fi
    } >"$file"
  )
}

_kafka_admin_config() {
  local file pw
  file="$(_kafka_dir)/client-$KAFKA_ADMIN_USER.properties"
  pw=$(_kafka_password "$KAFKA_ADMIN_USER") || return 1
  _kafka_client_config "$file" "$KAFKA_BOOTSTRAP" "$(_kafka_client_protocol)" "$KAFKA_ADMIN_USER" "$pw" || return 1
  printf '%s\n' "$file"
}

# kafka_tool_config bootstrap: the client properties file the Kafka tools use: GOVERNOR_KAFKA_USER
# (default governor-admin) with GOVERNOR_KAFKA_PASSWORD or its users.txt password, over
# GOVERNOR_KAFKA_SECURITY_PROTOCOL (default: this broker's). Prints its path.
kafka_tool_config() {
  local bootstrap=$1 user=${GOVERNOR_KAFKA_USER:-$KAFKA_ADMIN_USER} protocol pw="" file
  protocol=${GOVERNOR_KAFKA_SECURITY_PROTOCOL:-$(_kafka_client_protocol)}
  file="$(_kafka_dir)/client-tool.properties"
  if [[ $protocol == SASL_* ]]; then
    pw=${GOVERNOR_KAFKA_PASSWORD:-}
    [[ -n $pw ]] || pw=$(_kafka_password "$user") || return 1
  fi
  _kafka_client_config "$file" "$bootstrap" "$protocol" "$user" "$pw" || return 1
  printf '%s\n' "$file"
}

# ---------------------------------------------------------------- helpers (Admin client)

_kafka_helper_sources() { printf '%s\n' "$REPO_ROOT/deploy/kafka/EnsureTopics.java" "$REPO_ROOT/deploy/kafka/EnsureAccess.java"; }

# The topic and access helpers (deploy/kafka/Ensure*.java), compiled once against the Kafka jars.
_kafka_helper_fresh() {
  local classes src
  classes="$(_kafka_dir)/classes"
  [[ -f $classes/EnsureTopics.class && -f $classes/EnsureAccess.class && $classes/EnsureTopics.class -nt $(_kafka_libs)/.complete ]] || return 1
  while read -r src; do
    [[ $classes/EnsureTopics.class -nt $src ]] || return 1
  done < <(_kafka_helper_sources)
}

_kafka_ensure_helper() {
  local classes
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
  # shellcheck disable=SC2046 # one word per source file
  "$javac" -nowarn -d "$classes" -cp "$(_kafka_libs)/*" $(_kafka_helper_sources)
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
  local config
  config=$(_kafka_admin_config) || return 1
  _kafka_ensure_helper || return 1
  _kafka_run_tool EnsureTopics "$config" "$REPO_ROOT/deploy/kafka/topics.txt" "$1" "$2"
}

# _kafka_access ensure|check: SCRAM users and ACLs (EnsureAccess).
_kafka_access() {
  local config
  config=$(_kafka_admin_config) || return 1
  _kafka_write_users || return 1
  _kafka_ensure_helper || return 1
  _kafka_run_tool EnsureAccess "$config" "$(_kafka_dir)/users.txt" "$KAFKA_ACLS_FILE" "$1"
}

# ---------------------------------------------------------------- broker

# server.properties with the placeholders filled in, readable by its owner only (it holds the
# broker's and the controller's passwords), plus the TLS settings when a keystore is configured.
_kafka_write_config() {
  local dir template broker_pw controller_pw
  dir=$(_kafka_dir)
  broker_pw=$(_kafka_password kafka-broker) || return 1
  controller_pw=$(_kafka_password kafka-controller) || return 1
  template=$(<"$REPO_ROOT/deploy/kafka/server.properties")
  template=${template//@KAFKA_DATA_DIR@/"$dir/data"}
  template=${template//@KAFKA_LISTEN_HOST@/127.0.0.1}
  template=${template//@KAFKA_ADVERTISED_HOST@/127.0.0.1}
  template=${template//@KAFKA_PORT@/"$KAFKA_PORT"}
  template=${template//@KAFKA_CONTROLLER_PORT@/"$KAFKA_CONTROLLER_PORT"}
  template=${template//@KAFKA_CLIENT_PROTOCOL@/"$(_kafka_client_protocol)"}
  template=${template//@KAFKA_BROKER_PASSWORD@/"$broker_pw"}
  template=${template//@KAFKA_CONTROLLER_PASSWORD@/"$controller_pw"}
  (
    umask 077
    {
      printf '%s\n' "$template"
      if _kafka_tls; then
        printf '\n# TLS on the client listener (GOVERNOR_SERVICES_KAFKA_KEYSTORE)\n'
        printf 'listener.name.client.ssl.keystore.type=PKCS12\nlistener.name.client.ssl.keystore.location=%s\n' \
          "$GOVERNOR_SERVICES_KAFKA_KEYSTORE"
        printf 'listener.name.client.ssl.keystore.password=%s\n' "${GOVERNOR_SERVICES_KAFKA_KEYSTORE_PASSWORD:-}"
        if [[ -n ${GOVERNOR_SERVICES_KAFKA_TRUSTSTORE:-} ]]; then
          printf 'listener.name.client.ssl.truststore.type=PKCS12\nlistener.name.client.ssl.truststore.location=%s\n' \
            "$GOVERNOR_SERVICES_KAFKA_TRUSTSTORE"
          printf 'listener.name.client.ssl.truststore.password=%s\n' "${GOVERNOR_SERVICES_KAFKA_TRUSTSTORE_PASSWORD:-}"
        fi
      fi
    } >"$dir/server.properties"
  )
}

# Formats the storage with the SCRAM credentials of every SCRAM user (they must exist before the
# broker can authenticate anyone, itself and the admin included).
_kafka_format() {
  local dir user role pw
  local -a scram=()
  dir=$(_kafka_dir)
  while read -r user role; do
    pw=$(_kafka_password "$user") || return 1
    scram+=(--add-scram "SCRAM-SHA-512=[name=$user,password=$pw]")
  done < <(_kafka_users broker admin governor loop)
  "$(_kafka_java)" -Xmx256m -Dlog4j2.configurationFile="$REPO_ROOT/deploy/kafka/tools-log4j2.properties" \
    -cp "$(_kafka_libs)/*" kafka.tools.StorageTool format --standalone \
    --cluster-id "$KAFKA_CLUSTER_ID" --config "$dir/server.properties" "${scram[@]}" || return 1
  printf '%s\n' "$KAFKA_FORMAT_MARK" >"$dir/data/governor-format.txt"
}

# A data directory formatted by an older scripts/services (no SCRAM users) or for another
# controller port cannot serve this configuration: say so instead of starting a broker nobody can use.
_kafka_check_format() {
  local dir mark
  dir=$(_kafka_dir)
  [[ -f $dir/data/meta.properties ]] || return 0
  mark=$(cat "$dir/data/governor-format.txt" 2>/dev/null || true)
  if [[ $mark != "$KAFKA_FORMAT_MARK" ]]; then
    if [[ -n $mark ]]; then
      err "$dir/data was formatted with '$mark', not with '$KAFKA_FORMAT_MARK'"
    else
      err "$dir/data was formatted without SASL users (by an older scripts/services); this broker needs '$KAFKA_FORMAT_MARK'"
    fi
    err "remove it to format afresh (its topics and offsets are lost): rm -rf '$dir/data', then run up again"
    return 1
  fi
}

# When target/services lost the pid file (e.g. `mvn clean` at the root), find our broker by its
# port and command line, so status/down still work.
_kafka_adopt() {
  local pidfile pid
  pidfile=$(_kafka_pidfile)
  pid_alive "$pidfile" && return 0
  pid=$(pid_listening_on "$KAFKA_PORT") || return 1
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
  elif port_open "$KAFKA_PORT"; then
    say "already running, but not started by scripts/services ($KAFKA_BOOTSTRAP: $(listener_desc "$KAFKA_PORT")): using it; 'down' will leave it"
    _kafka_ensure_libs || return 1
  else
    if port_open "$KAFKA_CONTROLLER_PORT"; then
      err "controller port $KAFKA_CONTROLLER_PORT is taken by a process scripts/services did not start"
      port_users "$KAFKA_CONTROLLER_PORT" >&2
      return 1
    fi
    _kafka_check_format || return 1
    _kafka_ensure_libs || return 1
    _kafka_write_config || return 1
    if [[ ! -f $dir/data/meta.properties ]]; then
      step "formatting KRaft storage $dir/data (StorageTool format --standalone --add-scram, cluster id $KAFKA_CLUSTER_ID)" \
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
    wait_until "port $KAFKA_PORT" "${KAFKA_TIMEOUT:-60}" "$log" "$pidfile" port_open "$KAFKA_PORT" || return 1
  fi
  if ! _kafka_helper_fresh; then
    step "compiling the topic and access helpers (deploy/kafka/EnsureTopics.java, EnsureAccess.java)" _kafka_ensure_helper || return 1
  fi
  step "waiting for a metadata answer (as $KAFKA_ADMIN_USER, $(_kafka_client_protocol) SCRAM-SHA-512) and creating topics from deploy/kafka/topics.txt" \
    _kafka_topics "${KAFKA_TIMEOUT:-60}" ensure || {
    show_log_tail "$log"
    return 1
  }
  step "setting SCRAM users from deploy/kafka/users.txt and ACLs from deploy/kafka/acls.txt" _kafka_access ensure || {
    show_log_tail "$log"
    return 1
  }
}

kafka_down() {
  local pidfile
  pidfile=$(_kafka_pidfile)
  if ! _kafka_adopt; then
    rm -f "$pidfile"
    if port_open "$KAFKA_PORT"; then
      say "port $KAFKA_PORT is served by a process scripts/services did not start ($(listener_desc "$KAFKA_PORT")): leaving it running"
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
  if _kafka_adopt && port_open "$KAFKA_PORT"; then
    printf '%-9s UP    %-22s pid %s, KRaft %s, %s SCRAM-SHA-512 + ACLs, controller 127.0.0.1:%s, log %s\n' \
      kafka "$KAFKA_BOOTSTRAP" "$(pid_of "$pidfile")" "$KAFKA_VERSION" "$(_kafka_client_protocol)" "$KAFKA_CONTROLLER_PORT" "$(_kafka_log)"
    return 0
  fi
  if port_open "$KAFKA_PORT"; then
    printf '%-9s UP    %-22s not started by scripts/services: %s\n' kafka "$KAFKA_BOOTSTRAP" "$(listener_desc "$KAFKA_PORT")"
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
  _kafka_topics 15 check || return 1
  _kafka_access check
}
