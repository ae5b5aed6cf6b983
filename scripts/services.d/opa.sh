# shellcheck shell=bash
# OPA server (v1.22.3) on http://127.0.0.1:8181 serving the policy bundle built from policies/.
# The binary comes from scripts/install-opa (Go module proxy, into .tools/bin), the bundle from
# `scripts/policy server-bundle`; both print the path they produce as their last stdout line.

# GOVERNOR_OPA_PORT only to test this script beside another OPA; everything else expects 8181.
OPA_PORT=${GOVERNOR_OPA_PORT:-8181}
OPA_URL=http://127.0.0.1:$OPA_PORT

_opa_dir() { state_dir opa; }
_opa_pidfile() { printf '%s/opa.pid\n' "$(_opa_dir)"; }
_opa_log() { printf '%s/opa.log\n' "$(_opa_dir)"; }
_opa_healthy() { http_ok "$OPA_URL/health?bundles"; }

# _opa_last_line script args...: runs a helper script, shows its output, keeps its last line
# in OPA_LAST_LINE.
_opa_last_line() {
  local out rc=0
  out=$("$@") || rc=$?
  if [[ -n $out ]]; then
    sed 's/^/    /' <<<"$out"
  fi
  ((rc == 0)) || return $rc
  OPA_LAST_LINE=$(tail -n 1 <<<"$out")
  [[ -n $OPA_LAST_LINE ]]
}

_opa_adopt() {
  local pidfile pid
  pidfile=$(_opa_pidfile)
  if pid_alive "$pidfile"; then
    # the pid file belongs to this port only (GOVERNOR_OPA_PORT may differ between calls)
    [[ $(cat "$(_opa_dir)/opa.port" 2>/dev/null) == "$OPA_PORT" ]] && return 0
    return 1
  fi
  pid=$(pid_listening_on "$OPA_PORT") || return 1
  if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "--bundle $(_opa_dir)/bundle.tar.gz"; then
    adopt_pid "$pid" "$pidfile"
    printf '%s\n' "$OPA_PORT" >"$(_opa_dir)/opa.port"
    return 0
  fi
  return 1
}

opa_up() {
  local dir pidfile log install=$REPO_ROOT/scripts/install-opa policy=$REPO_ROOT/scripts/policy opa bundle
  dir=$(_opa_dir)
  pidfile=$(_opa_pidfile)
  log=$(_opa_log)
  if _opa_adopt; then
    local running current=""
    running=$(cat "$dir/bundle.revision" 2>/dev/null || echo unknown)
    [[ -x $policy ]] && current=$("$policy" revision 2>/dev/null || true)
    if [[ -n $current && $current != "$running" ]]; then
      warn "running with bundle revision $running but policies/ is now at $current: 'scripts/services down opa' then 'up opa' to serve it"
    fi
    say "already running (pid $(pid_of "$pidfile"), $OPA_URL, bundle revision $running)"
  elif port_open "$OPA_PORT"; then
    say "port $OPA_PORT already served, not by scripts/services ($(listener_desc "$OPA_PORT")): using it if healthy; 'down' will leave it"
    pidfile=""
  else
    if [[ ! -x $install || ! -x $policy ]]; then
      err "cannot start OPA: scripts/install-opa and scripts/policy (server-bundle) are needed and $([[ -x $install ]] || printf 'scripts/install-opa ')$([[ -x $policy ]] || printf 'scripts/policy ')is missing"
      return 1
    fi
    need_cmd curl || return 1
    step "installing OPA (scripts/install-opa)" _opa_last_line "$install" || return 1
    opa=$OPA_LAST_LINE
    [[ -x $opa ]] || { err "scripts/install-opa's last line '$opa' is not an executable"; return 1; }
    step "building the server bundle (scripts/policy server-bundle)" \
      _opa_last_line env OPA="$opa" "$policy" server-bundle || return 1
    bundle=$OPA_LAST_LINE
    [[ -f $bundle ]] || { err "scripts/policy server-bundle's last line '$bundle' is not a file"; return 1; }
    # serve a copy, so `mvn clean` or a rebuild under policies/target cannot change what runs
    cp "$bundle" "$dir/bundle.tar.gz" || return 1
    if [[ -f $bundle.revision ]]; then cp "$bundle.revision" "$dir/bundle.revision"; else "$policy" revision >"$dir/bundle.revision" 2>/dev/null || true; fi
    step "starting OPA ($opa run --server --addr 127.0.0.1:$OPA_PORT --bundle $dir/bundle.tar.gz, log $log)" \
      start_daemon "$pidfile" "$log" "$opa" run --server --addr "127.0.0.1:$OPA_PORT" \
      --log-level info --log-format text --bundle "$dir/bundle.tar.gz" || return 1
    printf '%s\n' "$OPA_PORT" >"$dir/opa.port"
  fi
  wait_until "OPA health with bundles ($OPA_URL/health?bundles)" "${OPA_TIMEOUT:-60}" "$log" "$pidfile" _opa_healthy || return 1
}

opa_down() {
  local pidfile
  pidfile=$(_opa_pidfile)
  if ! _opa_adopt; then
    rm -f "$pidfile"
    if port_open "$OPA_PORT"; then
      say "port $OPA_PORT is served by a process scripts/services did not start ($(listener_desc "$OPA_PORT")): leaving it running"
    else
      say "not running"
    fi
    return 0
  fi
  step "stopping OPA (pid $(pid_of "$pidfile"))" stop_daemon "$pidfile" 15
}

opa_status() {
  local pidfile
  pidfile=$(_opa_pidfile)
  if _opa_adopt && _opa_healthy; then
    printf '%-9s UP    %-22s pid %s, bundle revision %s\n' opa "127.0.0.1:$OPA_PORT" "$(pid_of "$pidfile")" \
      "$(cat "$SERVICES_STATE/opa/bundle.revision" 2>/dev/null || echo unknown)"
    return 0
  fi
  if _opa_healthy; then
    printf '%-9s UP    %-22s not started by scripts/services: %s\n' opa "127.0.0.1:$OPA_PORT" "$(listener_desc "$OPA_PORT")"
    return 0
  fi
  if pid_alive "$pidfile"; then
    printf '%-9s START %-22s pid %s, bundle not activated yet\n' opa "127.0.0.1:$OPA_PORT" "$(pid_of "$pidfile")"
  else
    printf '%-9s DOWN  %-22s\n' opa "127.0.0.1:$OPA_PORT"
  fi
  return 1
}

# Health with bundles, and the gate's decision endpoint answers a query.
opa_check() {
  local code
  if ! _opa_healthy; then
    err "$OPA_URL/health?bundles does not answer 200"
    return 1
  fi
  say "$OPA_URL/health?bundles: 200"
  code=$(curl -s -o "$(_opa_dir)/check-decision.json" -w '%{http_code}' -m 10 -H 'Content-Type: application/json' \
    -d '{"input":{}}' "$OPA_URL/v1/data/rsi/gate/decision") || code=000
  if [[ $code != 200 ]]; then
    err "POST $OPA_URL/v1/data/rsi/gate/decision answered $code: $(head -c 300 "$(_opa_dir)/check-decision.json" 2>/dev/null)"
    return 1
  fi
  say "POST /v1/data/rsi/gate/decision: 200 ($(head -c 200 "$(_opa_dir)/check-decision.json"))"
}
