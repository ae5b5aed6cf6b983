# shellcheck shell=bash
# PostgreSQL 15: the Debian cluster 15/main on 127.0.0.1:5432 (pg_ctlcluster), with Governor's
# roles and database (deploy/postgres/init.sql). `down` stops the cluster only when `up` started it.

PG_VERSION=15
PG_CLUSTER=main
PG_PORT=5432
PG_HOST=127.0.0.1

_pg_state() { state_dir postgres; }
_pg_marker() { printf '%s/started-by-services\n' "$(_pg_state)"; }
_pg_syslog() { printf '/var/log/postgresql/postgresql-%s-%s.log\n' "$PG_VERSION" "$PG_CLUSTER"; }

_pg_installed() { [[ -x /usr/lib/postgresql/$PG_VERSION/bin/postgres ]] && command -v pg_ctlcluster >/dev/null 2>&1; }

_pg_cluster_exists() { [[ -f /etc/postgresql/$PG_VERSION/$PG_CLUSTER/postgresql.conf ]]; }

_pg_running() {
  # pg_ctlcluster status exits 0 when running, 3 when stopped; it may need the cluster owner
  # (not root, not postgres: whatever answers pg_isready on 5432 counts).
  _pg_ready ||
    pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" status >/dev/null 2>&1 ||
    as_user postgres pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" status >/dev/null 2>&1
}

_pg_ready() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -t 2; }

_pg_ctl() {
  # pg_ctlcluster works as root or as the cluster owner (postgres).
  if [[ $(id -u) -eq 0 ]]; then
    pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" "$@"
  else
    as_user postgres pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" "$@"
  fi
}

_pg_install() {
  apt_install "postgresql-$PG_VERSION" || return 1
  # the package creates cluster 15/main; some images skip it (create_main_cluster = false)
  if ! _pg_cluster_exists; then
    as_root pg_createcluster "$PG_VERSION" "$PG_CLUSTER" || return 1
  fi
}

# Listen on loopback at 5432 whatever the packaged defaults are: a conf.d drop-in (Debian's
# postgresql.conf includes conf.d/). 'localhost' = 127.0.0.1 and ::1 where IPv6 exists.
_pg_configure() {
  local dropin=/etc/postgresql/$PG_VERSION/$PG_CLUSTER/conf.d/50-governor.conf
  local want
  want=$(printf '%s\n' \
    "# Written by Governor's scripts/services (postgres_up): loopback only, fixed port." \
    "listen_addresses = 'localhost'" \
    "port = $PG_PORT")
  if [[ -f $dropin ]] && [[ $(cat "$dropin") == "$want" ]]; then
    return 0
  fi
  printf '%s\n' "$want" | as_root tee "$dropin" >/dev/null || return 1
  as_root chown postgres:postgres "$dropin" 2>/dev/null || true
  CONFIG_CHANGED=1
}

_pg_init_db() {
  as_user postgres psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" -d postgres <"$REPO_ROOT/deploy/postgres/init.sql"
}

# After an apt upgrade of postgresql-15 a running server keeps the old binary but loads the new
# shared libraries (e.g. plpgsql.so fails with "undefined symbol"): say so, do not restart it
# behind other users' backs.
_pg_warn_stale_binary() {
  local running installed
  running=$(as_user postgres psql -X -qAt -p "$PG_PORT" -d postgres -c 'SHOW server_version' 2>/dev/null | awk '{print $1}') || return 0
  installed=$("/usr/lib/postgresql/$PG_VERSION/bin/postgres" --version 2>/dev/null | awk '{print $3}') || return 0
  if [[ -n $running && -n $installed && $running != "$installed" ]]; then
    warn "the cluster runs PostgreSQL $running but $installed is installed (package upgraded): restart it (pg_ctlcluster $PG_VERSION $PG_CLUSTER restart), or PL/pgSQL may fail to load"
  fi
}

postgres_up() {
  local log
  log=$(_pg_syslog)
  ln -sfn "$log" "$(_pg_state)/postgres.log"
  if ! _pg_installed; then
    step "installing postgresql-$PG_VERSION (apt-get)" _pg_install || return 1
  fi
  if ! _pg_cluster_exists; then
    step "creating cluster $PG_VERSION/$PG_CLUSTER" as_root pg_createcluster "$PG_VERSION" "$PG_CLUSTER" || return 1
  fi
  CONFIG_CHANGED=0
  step "configuring listen_addresses=localhost port=$PG_PORT (conf.d/50-governor.conf)" _pg_configure || return 1
  if _pg_running; then
    if ((CONFIG_CHANGED)); then
      step "restarting cluster $PG_VERSION/$PG_CLUSTER for the new listen address" _pg_ctl restart || { show_log_tail "$log"; return 1; }
    elif [[ -f $(_pg_marker) ]]; then
      say "already running (cluster $PG_VERSION/$PG_CLUSTER, started by scripts/services)"
    else
      say "already running (cluster $PG_VERSION/$PG_CLUSTER, started outside scripts/services: 'down' will leave it running)"
    fi
  else
    step "starting cluster $PG_VERSION/$PG_CLUSTER (pg_ctlcluster $PG_VERSION $PG_CLUSTER start)" _pg_ctl start || {
      show_log_tail "$log"
      return 1
    }
    date -u +%FT%TZ >"$(_pg_marker)"
  fi
  wait_until "PostgreSQL on $PG_HOST:$PG_PORT" "${POSTGRES_TIMEOUT:-60}" "$log" "" _pg_ready || return 1
  _pg_warn_stale_binary
  if [[ $(id -u) -ne 0 && $(id -un) != postgres ]] && ! sudo -n true 2>/dev/null; then
    # not root and no sudo: cannot run SQL as the superuser; fine when everything is in place
    if postgres_check >/dev/null 2>&1; then
      say "roles and database governor already in place (not root, no sudo: init.sql not re-run)"
      return 0
    fi
    err "roles/database governor missing and neither root nor password-less sudo is available to create them"
    return 1
  fi
  step "creating roles governor, governor_app and database governor (idempotent)" _pg_init_db || return 1
}

postgres_down() {
  if ! _pg_installed || ! _pg_running; then
    rm -f "$(_pg_marker)"
    say "not running"
    return 0
  fi
  if [[ ! -f $(_pg_marker) ]]; then
    say "cluster $PG_VERSION/$PG_CLUSTER was not started by scripts/services: leaving it running"
    return 0
  fi
  step "stopping cluster $PG_VERSION/$PG_CLUSTER" _pg_ctl stop -m fast || {
    show_log_tail "$(_pg_syslog)"
    return 1
  }
  rm -f "$(_pg_marker)"
}

postgres_status() {
  local who="started outside scripts/services"
  [[ -f $SERVICES_STATE/postgres/started-by-services ]] && who="started by scripts/services"
  if _pg_installed && _pg_ready; then
    printf '%-9s UP    %-22s cluster %s/%s, db governor, users governor/governor_app (%s)\n' \
      postgres "$PG_HOST:$PG_PORT" "$PG_VERSION" "$PG_CLUSTER" "$who"
    return 0
  fi
  printf '%-9s DOWN  %-22s %s\n' postgres "$PG_HOST:$PG_PORT" \
    "$(_pg_installed && echo "cluster $PG_VERSION/$PG_CLUSTER not answering" || echo "postgresql-$PG_VERSION not installed")"
  return 1
}

# Logs in over TCP as both roles with their demo passwords; governor must be able to create a
# table in schema public (checked inside a rolled-back transaction).
postgres_check() {
  local ok=0
  if PGPASSWORD=governor psql -X -q -h "$PG_HOST" -p "$PG_PORT" -U governor -d governor -v ON_ERROR_STOP=1 \
    -c 'BEGIN; CREATE TABLE governor_services_check(x int); ROLLBACK;' >/dev/null; then
    say "login governor@$PG_HOST:$PG_PORT/governor and CREATE TABLE in public: ok"
  else
    err "governor cannot log in or create tables in database governor"
    ok=1
  fi
  local owner
  owner=$(PGPASSWORD=governor psql -X -qAt -h "$PG_HOST" -p "$PG_PORT" -U governor -d governor \
    -c "SELECT pg_catalog.pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'governor'" 2>/dev/null || true)
  if [[ $owner == governor ]]; then
    say "database governor is owned by governor: ok"
  else
    err "database governor is owned by '${owner:-?}', expected governor"
    ok=1
  fi
  if PGPASSWORD=governor_app psql -X -q -h "$PG_HOST" -p "$PG_PORT" -U governor_app -d governor -c 'SELECT 1' >/dev/null; then
    say "login governor_app@$PG_HOST:$PG_PORT/governor: ok"
  else
    err "governor_app cannot log in to database governor"
    ok=1
  fi
  return $ok
}
