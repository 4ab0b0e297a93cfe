#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server on 127.0.0.1 for the test suite and prints its URL.
#   scripts/pg_test_server.sh start DIR   -> prints postgresql+psycopg://... on stdout
#   scripts/pg_test_server.sh stop DIR
# Installs Debian's postgresql when it is missing (as root). The cluster lives in DIR and is
# owned by the postgres system user, because PostgreSQL refuses to run as root.
set -euo pipefail
log() { printf '[pg] %s\n' "$*" >&2; }
action="${1:?start|stop}"; dir="${2:?data directory}"

pg_bin() {
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$d" ] && echo "$d"
}

case "$action" in
  start)
    if [ -z "$(pg_bin)" ]; then
      [ "$(id -u)" -eq 0 ] || { log "PostgreSQL is not installed (apt-get install postgresql)"; exit 1; }
      log "installing Debian's postgresql"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null \
        || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null; }
    fi
    bin="$(pg_bin)"
    run_as=()
    if [ "$(id -u)" -eq 0 ]; then run_as=(runuser -u postgres --); fi
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
    "${run_as[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale >/dev/null
    "${run_as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
    "${run_as[@]}" "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres safecampus_test
    log "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
    echo "postgresql+psycopg://postgres@127.0.0.1:$port/safecampus_test"
    ;;
  stop)
    bin="$(pg_bin)"
    run_as=()
    if [ "$(id -u)" -eq 0 ]; then run_as=(runuser -u postgres --); fi
    [ -d "$dir/data" ] && "${run_as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *) log "unknown action $action"; exit 2 ;;
esac
