# shellcheck shell=bash
# Keycloak 26.7.3 (org.keycloak:keycloak-quarkus-dist zip from Maven Central) in dev mode on
# http://127.0.0.1:8180 with an in-memory database, importing realm `rsi` from
# deploy/keycloak/rsi-realm.json at every start (so the realm is always exactly that file).
#
# Start-up takes 30-60 s on an idle 2-core machine, but a cold start (the server's first
# build/augmentation, then realm import) took 176 s on this machine while others compiled:
# hence the 300 s default timeout (KEYCLOAK_TIMEOUT).
#
# DEMO-ONLY CREDENTIALS: bootstrap admin admin/admin, client secrets *-demo-secret, user
# passwords equal to user names. Loopback only; never reuse them anywhere else.

KEYCLOAK_VERSION=26.7.3
KEYCLOAK_PORT=8180
KEYCLOAK_URL=http://127.0.0.1:$KEYCLOAK_PORT
KEYCLOAK_REALM=rsi
KEYCLOAK_ISSUER=$KEYCLOAK_URL/realms/$KEYCLOAK_REALM
KEYCLOAK_TOKEN_URL=$KEYCLOAK_ISSUER/protocol/openid-connect/token

_kc_dir() { state_dir keycloak; }
_kc_home() { printf '%s/keycloak-%s\n' "$(_kc_dir)" "$KEYCLOAK_VERSION"; }
_kc_pidfile() { printf '%s/keycloak.pid\n' "$(_kc_dir)"; }
_kc_log() { printf '%s/keycloak.log\n' "$(_kc_dir)"; }
_kc_discovery_ok() { http_ok "$KEYCLOAK_ISSUER/.well-known/openid-configuration"; }

_kc_fetch() {
  local dir zip
  dir=$(_kc_dir)
  zip="$dir/keycloak-quarkus-dist-$KEYCLOAK_VERSION.zip"
  rm -f "$zip"
  mvnw -f deploy/keycloak/pom.xml dependency:copy \
    -Dartifact="org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:zip" -DoutputDirectory="$dir" || return 1
  [[ -f $zip ]] || { err "$zip missing after dependency:copy"; return 1; }
  rm -rf "$(_kc_home)" "$(_kc_home).partial"
  mkdir -p "$(_kc_home).partial"
  unzip -q "$zip" -d "$(_kc_home).partial" || return 1
  # the zip holds one top-level folder keycloak-<version>
  mv "$(_kc_home).partial/keycloak-$KEYCLOAK_VERSION" "$(_kc_home)" || return 1
  rm -rf "$(_kc_home).partial" "$zip" # the zip stays cached in the local Maven repository
}

# Keycloak 26 runs on Java 21 or newer (17 is no longer supported): pick such a JDK for it alone.
_kc_java_home() {
  local home
  if home=$(java_home_at_least 21); then
    printf '%s\n' "$home"
    return 0
  fi
  err "Keycloak $KEYCLOAK_VERSION needs Java 21+; none found (JAVA_HOME, PATH, /usr/lib/jvm)."
  err "Install one (e.g. a Temurin 21/25 JDK) or set KEYCLOAK_JAVA_HOME."
  return 1
}

_kc_adopt() {
  local pidfile pid
  pidfile=$(_kc_pidfile)
  pid_alive "$pidfile" && return 0
  pid=$(pid_listening_on "$KEYCLOAK_PORT") || return 1
  if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$(_kc_home)/"; then
    adopt_pid "$pid" "$pidfile"
    return 0
  fi
  return 1
}

keycloak_up() {
  local home pidfile log java_home
  home=$(_kc_home)
  pidfile=$(_kc_pidfile)
  log=$(_kc_log)
  if _kc_adopt; then
    say "already running (pid $(pid_of "$pidfile"), $KEYCLOAK_URL; realm file changes need 'down' then 'up')"
  elif port_open "$KEYCLOAK_PORT"; then
    say "port $KEYCLOAK_PORT already served, not by scripts/services ($(listener_desc "$KEYCLOAK_PORT")): using it if it serves realm $KEYCLOAK_REALM; 'down' will leave it"
    pidfile=""
  else
    need_cmd curl || return 1
    if [[ ! -x $home/bin/kc.sh ]]; then
      need_cmd unzip || return 1
      step "fetching keycloak-quarkus-dist $KEYCLOAK_VERSION (Maven Central, ./mvnw dependency:copy) and unpacking into $home" \
        _kc_fetch || return 1
    fi
    java_home=${KEYCLOAK_JAVA_HOME:-}
    if [[ -z $java_home ]]; then
      java_home=$(_kc_java_home) || return 1
    fi
    say "using Java $(java_major "$java_home/bin/java") at $java_home"
    mkdir -p "$home/data/import" || return 1
    rm -f "$home/data/import/"*.json
    cp "$REPO_ROOT/deploy/keycloak/rsi-realm.json" "$home/data/import/rsi-realm.json" || return 1
    step "starting Keycloak (kc.sh start-dev --db=dev-mem --import-realm on $KEYCLOAK_URL, log $log)" \
      start_daemon "$pidfile" "$log" env \
      JAVA_HOME="$java_home" \
      JAVA_OPTS_KC_HEAP="${KEYCLOAK_HEAP_OPTS:--Xms64m -Xmx768m}" \
      KC_BOOTSTRAP_ADMIN_USERNAME=admin \
      KC_BOOTSTRAP_ADMIN_PASSWORD=admin \
      "$home/bin/kc.sh" start-dev \
      --http-port="$KEYCLOAK_PORT" --http-host=127.0.0.1 \
      --hostname="$KEYCLOAK_URL" \
      --db=dev-mem --import-realm || return 1
  fi
  wait_until "realm $KEYCLOAK_REALM OIDC discovery ($KEYCLOAK_ISSUER/.well-known/openid-configuration)" \
    "${KEYCLOAK_TIMEOUT:-300}" "$log" "$pidfile" _kc_discovery_ok || return 1
}

keycloak_down() {
  local pidfile
  pidfile=$(_kc_pidfile)
  if ! _kc_adopt; then
    rm -f "$pidfile"
    if port_open "$KEYCLOAK_PORT"; then
      say "port $KEYCLOAK_PORT is served by a process scripts/services did not start ($(listener_desc "$KEYCLOAK_PORT")): leaving it running"
    else
      say "not running"
    fi
    return 0
  fi
  step "stopping Keycloak (pid $(pid_of "$pidfile"))" stop_daemon "$pidfile" 30
}

keycloak_status() {
  local pidfile
  pidfile=$(_kc_pidfile)
  if _kc_adopt && _kc_discovery_ok; then
    printf '%-9s UP    %-22s pid %s, Keycloak %s, realm %s, issuer %s\n' \
      keycloak "127.0.0.1:$KEYCLOAK_PORT" "$(pid_of "$pidfile")" "$KEYCLOAK_VERSION" "$KEYCLOAK_REALM" "$KEYCLOAK_ISSUER"
    return 0
  fi
  if _kc_discovery_ok; then
    printf '%-9s UP    %-22s not started by scripts/services: %s\n' keycloak "127.0.0.1:$KEYCLOAK_PORT" "$(listener_desc "$KEYCLOAK_PORT")"
    return 0
  fi
  if pid_alive "$pidfile"; then
    printf '%-9s START %-22s pid %s, realm %s not served yet\n' keycloak "127.0.0.1:$KEYCLOAK_PORT" "$(pid_of "$pidfile")" "$KEYCLOAK_REALM"
  else
    printf '%-9s DOWN  %-22s\n' keycloak "127.0.0.1:$KEYCLOAK_PORT"
  fi
  return 1
}

# keycloak_token grant-args...: prints the access token from the realm's token endpoint.
#   keycloak_token -d grant_type=password -d client_id=control-plane -d client_secret=... -d username=alice -d password=alice
keycloak_token() {
  local body
  body=$(curl -sS -m 10 "$KEYCLOAK_TOKEN_URL" "$@") || return 1
  jq -er '.access_token // empty' <<<"$body" 2>/dev/null || {
    err "no access token: $body"
    return 1
  }
}

# keycloak_token_for name: an access token for a demo user (password grant on client
# control-plane) or, for "loop-agent", the loop's service account (client_credentials).
keycloak_token_for() {
  if [[ $1 == loop-agent ]]; then
    keycloak_token -d grant_type=client_credentials -d client_id=loop-agent -d client_secret=loop-agent-demo-secret
  else
    keycloak_token -d grant_type=password -d client_id=control-plane -d client_secret=control-plane-demo-secret \
      -d "username=$1" -d "password=$1" -d scope=openid
  fi
}

# _kc_expect label token username role: the token's preferred_username and realm roles.
_kc_expect() {
  local label=$1 token=$2 want_user=$3 want_role=$4 payload user roles
  payload=$(decode_jwt_payload "$token") || { err "$label: cannot decode the JWT payload"; return 1; }
  user=$(jq -r '.preferred_username // empty' <<<"$payload")
  roles=$(jq -r '[.realm_access.roles[]?] | join(",")' <<<"$payload")
  if [[ $user != "$want_user" ]]; then
    err "$label: preferred_username is '$user', expected '$want_user'"
    return 1
  fi
  if ! jq -e --arg r "$want_role" '.realm_access.roles | index($r)' <<<"$payload" >/dev/null; then
    err "$label: realm_access.roles=[$roles] lacks '$want_role'"
    return 1
  fi
  if ! jq -e '(.aud | if type == "array" then . else [.] end) | index("control-plane")' <<<"$payload" >/dev/null; then
    err "$label: aud does not contain control-plane: $(jq -c '.aud' <<<"$payload")"
    return 1
  fi
  say "$label: token ok (preferred_username=$user, realm_access.roles=[$roles], iss=$(jq -r .iss <<<"$payload"), expires in $(($(jq -r '.exp - .iat' <<<"$payload")))s)"
}

# Every demo user gets a token with the password grant on control-plane and carries its role;
# loop-agent gets one with client_credentials and carries proposer; a wrong password is refused.
keycloak_check() {
  need_cmd jq || return 1
  local rc=0 u role token
  local -A roles=([alice]=safety-officer [bob]=safety-officer [carol]=safety-officer [rita]=regulator [adam]=admin [paul]=proposer)
  for u in alice bob carol rita adam paul; do
    role=${roles[$u]}
    if token=$(keycloak_token -d grant_type=password -d client_id=control-plane \
      -d client_secret=control-plane-demo-secret -d "username=$u" -d "password=$u" -d scope=openid); then
      _kc_expect "user $u (password grant, client control-plane)" "$token" "$u" "$role" || rc=1
    else
      err "user $u: password grant failed"
      rc=1
    fi
  done
  if token=$(keycloak_token -d grant_type=client_credentials -d client_id=loop-agent -d client_secret=loop-agent-demo-secret); then
    _kc_expect "client loop-agent (client_credentials)" "$token" service-account-loop-agent proposer || rc=1
  else
    err "loop-agent: client_credentials grant failed"
    rc=1
  fi
  if keycloak_token -d grant_type=password -d client_id=control-plane -d client_secret=control-plane-demo-secret \
    -d username=alice -d password=wrong >/dev/null 2>&1; then
    err "a wrong password was accepted"
    rc=1
  else
    say "wrong password refused: ok"
  fi
  return $rc
}
