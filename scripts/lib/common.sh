# shellcheck shell=bash
# Helpers shared by scripts/services and scripts/services.d/*.sh. Sourced, never run.
#
# Conventions:
#   - every service keeps its pid, log and state under "$SERVICES_STATE/<name>/"
#     (<repo>/target/services/<name>/);
#   - progress goes to stdout as "[svc] step ... done (1.2s)"; errors go to stderr;
#   - functions return non-zero on failure instead of exiting, so the dispatcher can report.

REPO_ROOT="${REPO_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
SERVICES_STATE="${SERVICES_STATE:-$REPO_ROOT/target/services}"
MVNW="$REPO_ROOT/mvnw"

# ---------------------------------------------------------------- output and timing

now_ms() { date +%s%3N; }

# fmt_ms 12345 -> "12.3s"
fmt_ms() {
  local ms=$1
  printf '%d.%01ds' $((ms / 1000)) $(((ms % 1000) / 100))
}

say() { printf '[%s] %s\n' "${SVC:-services}" "$*"; }
warn() { printf '[%s] WARNING: %s\n' "${SVC:-services}" "$*" >&2; }
err() { printf '[%s] ERROR: %s\n' "${SVC:-services}" "$*" >&2; }

# step "description" command args...
# Prints what the step does, runs it, prints how long it took. Output of the command is shown
# (indent-free) as it comes; on failure says so and returns the command's status.
step() {
  local desc=$1
  shift
  local t0 rc=0
  t0=$(now_ms)
  say "$desc ..."
  "$@" || rc=$?
  if ((rc == 0)); then
    say "$desc: done ($(fmt_ms $(($(now_ms) - t0))))"
  else
    err "$desc: FAILED after $(fmt_ms $(($(now_ms) - t0))) (exit $rc)"
  fi
  return $rc
}

# show_log_tail file [lines]: the end of a service's log, for failure reports.
show_log_tail() {
  local file=$1 lines=${2:-40}
  if [[ -s $file ]]; then
    printf -- '----- last %s lines of %s -----\n' "$lines" "$file" >&2
    tail -n "$lines" "$file" >&2
    printf -- '----- end of %s -----\n' "$file" >&2
  else
    printf -- '(log %s is empty or missing)\n' "$file" >&2
  fi
}

# wait_until "what" timeout_s logfile pidfile_or_empty command args...
# Polls the command every second until it succeeds. Fails (and prints the log's tail) on timeout
# or when the pid in pidfile dies meanwhile.
wait_until() {
  local what=$1 timeout=$2 logfile=$3 pidfile=$4
  shift 4
  local t0 deadline
  t0=$(now_ms)
  deadline=$((t0 + timeout * 1000))
  say "waiting for $what (timeout ${timeout}s) ..."
  while true; do
    if "$@" >/dev/null 2>&1; then
      say "$what: ready after $(fmt_ms $(($(now_ms) - t0)))"
      return 0
    fi
    if [[ -n $pidfile ]] && ! pid_alive "$pidfile"; then
      err "$what: the process exited before becoming ready"
      show_log_tail "$logfile"
      return 1
    fi
    if (($(now_ms) >= deadline)); then
      err "$what: not ready after ${timeout}s"
      show_log_tail "$logfile"
      return 1
    fi
    sleep 0.5
  done
}

# ---------------------------------------------------------------- state and processes

state_dir() {
  local d="$SERVICES_STATE/$1"
  mkdir -p "$d"
  printf '%s\n' "$d"
}

# pid_alive pidfile: true when the file holds the pid of a live process.
pid_alive() {
  local f=$1 pid
  [[ -f $f ]] || return 1
  pid=$(<"$f")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null
}

pid_of() { cat "$1" 2>/dev/null || true; }

# start_daemon pidfile logfile command args...
# Runs the command detached in its own session (so the process group can be stopped as a whole),
# stdin from /dev/null, stdout+stderr appended to logfile; records its pid.
start_daemon() {
  local pidfile=$1 logfile=$2
  shift 2
  : >"$logfile"
  if command -v setsid >/dev/null 2>&1; then
    setsid "$@" </dev/null >>"$logfile" 2>&1 &
  else
    nohup "$@" </dev/null >>"$logfile" 2>&1 &
  fi
  printf '%s\n' "$!" >"$pidfile"
}

# stop_daemon pidfile timeout_s: SIGTERM to the process group (or process), wait, then SIGKILL.
stop_daemon() {
  local pidfile=$1 timeout=${2:-30} pid i
  if ! pid_alive "$pidfile"; then
    rm -f "$pidfile"
    return 0
  fi
  pid=$(<"$pidfile")
  # Our daemons are session leaders (setsid), so pid == process group id; fall back to the pid.
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < timeout * 5; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    warn "pid $pid still alive after ${timeout}s, sending SIGKILL"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$pidfile"
}

# adopt_pid pid pidfile: records a process we started earlier but whose pid file is gone. Our
# daemons lead their own process group (setsid), so the group id is what start_daemon recorded
# (e.g. kc.sh, not its java child).
adopt_pid() {
  local pid=$1 pidfile=$2 pgid
  pgid=$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ') || pgid=""
  if [[ $pgid =~ ^[0-9]+$ ]] && ((pgid > 1)) && kill -0 "$pgid" 2>/dev/null; then
    pid=$pgid
  fi
  printf '%s\n' "$pid" >"$pidfile"
}

# ---------------------------------------------------------------- network

# port_open port [host]: something accepts TCP connections there.
port_open() {
  local port=$1 host=${2:-127.0.0.1}
  (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null
}

# pid_listening_on port: prints the pid of the process listening on TCP port (needs ss).
pid_listening_on() {
  local out
  command -v ss >/dev/null 2>&1 || return 1
  out=$(ss -ltnpH "sport = :$1" 2>/dev/null) || return 1
  [[ $out =~ pid=([0-9]+) ]] || return 1
  printf '%s\n' "${BASH_REMATCH[1]}"
}

# port_users port...: who listens on these ports (for error messages).
port_users() {
  local p
  command -v ss >/dev/null 2>&1 || return 0
  for p in "$@"; do
    ss -ltnpH "sport = :$p" 2>/dev/null || true
  done
}

# listener_desc port: "pid N (command)" of whoever listens on the port, or "unknown process".
listener_desc() {
  local pid
  if pid=$(pid_listening_on "$1"); then
    printf 'pid %s (%s)\n' "$pid" "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-120)"
  else
    printf 'unknown process\n'
  fi
}

# http_ok url: the URL answers 2xx.
http_ok() {
  local code
  code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$1" 2>/dev/null) || return 1
  [[ $code == 2?? ]]
}

# ---------------------------------------------------------------- tools

# as_root command...: run as root (directly, or with sudo -n when not root).
as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo -n "$@"
  else
    err "needs root for: $*  (not root, and no sudo)"
    return 1
  fi
}

# as_user user command...: run as another OS user (runuser/su when root, sudo -n -u otherwise).
as_user() {
  local user=$1
  shift
  if [[ $(id -un) == "$user" ]]; then
    "$@"
  elif [[ $(id -u) -eq 0 ]]; then
    if command -v runuser >/dev/null 2>&1; then
      runuser -u "$user" -- "$@"
    else
      su -s /bin/sh "$user" -c "$(printf '%q ' "$@")"
    fi
  elif command -v sudo >/dev/null 2>&1; then
    sudo -n -u "$user" -- "$@"
  else
    err "needs to run as $user: $*  (not root, and no sudo)"
    return 1
  fi
}

APT_UPDATED=0
# apt_install package...: apt-get update (once per run) and install, non-interactively.
apt_install() {
  if ((APT_UPDATED == 0)); then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q || return 1
    APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
}

# need_cmd cmd [debian-package]: make sure a command exists, installing its package if needed.
need_cmd() {
  local cmd=$1 pkg=${2:-$1}
  command -v "$cmd" >/dev/null 2>&1 && return 0
  say "'$cmd' missing: installing Debian package $pkg"
  apt_install "$pkg"
}

# mvnw args...: the repository's Maven wrapper, quiet and in batch mode.
mvnw() {
  (cd "$REPO_ROOT" && "$MVNW" -q -B "$@")
}

# java_major /path/to/java: prints the feature version (17, 21, 25...).
java_major() {
  local v
  v=$("$1" -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')
  v=${v#1.}
  printf '%s\n' "${v%%[.+-]*}"
}

# java_home_at_least N: prints a JAVA_HOME whose java is version N or newer. Prefers $JAVA_HOME,
# then the java on PATH, then JDKs under /usr/lib/jvm (newest first). Fails when none qualifies.
java_home_at_least() {
  local min=$1 cand java
  local -a cands=()
  [[ -n ${JAVA_HOME:-} ]] && cands+=("$JAVA_HOME")
  if java=$(command -v java 2>/dev/null); then
    cands+=("$(dirname "$(dirname "$(readlink -f "$java")")")")
  fi
  if [[ -d /usr/lib/jvm ]]; then
    while IFS= read -r cand; do cands+=("$cand"); done < <(ls -1d /usr/lib/jvm/*/ 2>/dev/null | sed 's:/$::' | sort -rV)
  fi
  for cand in "${cands[@]}"; do
    [[ -x $cand/bin/java ]] || continue
    if (($(java_major "$cand/bin/java") >= min)); then
      printf '%s\n' "$cand"
      return 0
    fi
  done
  return 1
}

# decode_jwt_payload token: prints the JSON payload of a JWT (base64url, padding restored).
decode_jwt_payload() {
  local p
  p=$(cut -d. -f2 <<<"$1" | tr '_-' '/+')
  case $((${#p} % 4)) in
    2) p="$p==" ;;
    3) p="$p=" ;;
  esac
  base64 -d <<<"$p" 2>/dev/null
}
