#!/usr/bin/env bash
# tests/pg/cluster.sh start|stop|restart|env|psql: a throwaway PostgreSQL cluster for the tests of
# creditbook-postgres.
#
#   eval "$(tests/pg/cluster.sh start)"   # installs the server when missing, starts a cluster,
#                                         # prints `export CREDITBOOK_PG_DSN=... CREDITBOOK_PG_DIR=...`
#   cargo test -p creditbook-postgres
#   tests/pg/cluster.sh stop              # stops it and removes its directory, whatever happened
#
# The cluster lives in a new temporary directory (`mktemp -d`), owned by the user running the
# script, or by the unprivileged user `creditbook-pg` (created with useradd) when that is root:
# PostgreSQL refuses to run as root. It listens on a Unix socket in that directory only (no TCP
# port to collide with another cluster on the machine), or also on 127.0.0.1:$CREDITBOOK_PG_PORT
# when that is set. Authentication is `trust`, fine for a socket in a private directory holding
# throwaway data; never use this script's settings for a real server.
#
# Which cluster: $CREDITBOOK_PG_DIR when set (as `start` exports it), else the one whose directory
# is written in target/pg-cluster of this checkout by the last `start`.
#
#   restart   pg_ctl restart -m immediate (a crash of the server: every backend killed, recovery
#             from the WAL at start), as the fault tests do
#   env       prints the export lines again
#   psql      runs psql on the cluster with the remaining arguments
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
pointer="$repo/target/pg-cluster"
os_user=creditbook-pg
db_user=creditbook
db_name=creditbook

pg_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$dir" ] && command -v pg_ctl >/dev/null && command -v initdb >/dev/null; then
        dir=$(dirname "$(command -v pg_ctl)")
    fi
    [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && echo "$dir"
}

# Runs a command as the cluster's owner.
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        (cd / && runuser -u "$os_user" -- "$@")
    else
        (cd / && "$@")
    fi
}

cluster_dir() {
    if [ -n "${CREDITBOOK_PG_DIR:-}" ]; then
        echo "$CREDITBOOK_PG_DIR"
    elif [ -f "$pointer" ]; then
        cat "$pointer"
    fi
}

print_env() {
    local dir=$1 port
    port=$(cat "$dir/port")
    echo "export CREDITBOOK_PG_DIR='$dir'"
    echo "export CREDITBOOK_PG_DSN='host=$dir port=$port user=$db_user dbname=$db_name'"
}

start() {
    local bin dir port
    if ! bin=$(pg_bin); then
        echo "cluster.sh: installing the PostgreSQL server" >&2
        "$repo/tests/apt-install.sh" postgresql >&2
        bin=$(pg_bin) || { echo "cluster.sh: no initdb/pg_ctl after installing" >&2; exit 1; }
    fi
    if [ "$(id -u)" = 0 ] && ! id "$os_user" >/dev/null 2>&1; then
        useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
            "$os_user"
    fi
    dir=$(mktemp -d "${TMPDIR:-/tmp}/creditbook-pg.XXXXXX")
    port=${CREDITBOOK_PG_PORT:-5432}
    echo "$port" >"$dir/port"
    echo "$bin" >"$dir/bin"
    [ "$(id -u)" = 0 ] && chown "$os_user" "$dir"
    chmod 700 "$dir"
    mkdir -p "$(dirname "$pointer")"
    echo "$dir" >"$pointer"
    as_owner "$bin/initdb" --pgdata="$dir/data" --username="$db_user" --auth=trust \
        --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; exit 1; }
    local listen="''"
    [ -n "${CREDITBOOK_PG_PORT:-}" ] && listen="'127.0.0.1'"
    cat >>"$dir/data/postgresql.conf" <<EOF
# creditbook test cluster
listen_addresses = $listen
port = $port
unix_socket_directories = '$dir'
max_connections = 200
shared_buffers = 64MB
logging_collector = off
EOF
    as_owner "$bin/pg_ctl" --pgdata="$dir/data" --log="$dir/server.log" --wait \
        --timeout=60 start >&2 ||
        { cat "$dir/server.log" >&2; exit 1; }
    as_owner "$bin/createdb" --host="$dir" --port="$port" --username="$db_user" "$db_name" >&2
    print_env "$dir"
}

stop() {
    local dir bin pid
    dir=$(cluster_dir)
    [ -n "$dir" ] || { echo "cluster.sh: no cluster to stop" >&2; return 0; }
    case "$dir" in
    */creditbook-pg.*) ;;
    *) echo "cluster.sh: refusing to remove $dir (not made by this script)" >&2; exit 1 ;;
    esac
    if [ -d "$dir/data" ]; then
        bin=$(cat "$dir/bin" 2>/dev/null || pg_bin || true)
        if [ -n "$bin" ]; then
            as_owner "$bin/pg_ctl" --pgdata="$dir/data" --mode=immediate --wait --timeout=30 \
                stop >/dev/null 2>&1 || true
        fi
        # pg_ctl failed or is gone: the postmaster's pid is the first line of postmaster.pid.
        if [ -f "$dir/data/postmaster.pid" ]; then
            pid=$(head -n 1 "$dir/data/postmaster.pid")
            if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
                kill -KILL "$pid" 2>/dev/null || true
                sleep 1
            fi
        fi
    fi
    rm -rf "$dir"
    if [ -f "$pointer" ] && [ "$(cat "$pointer")" = "$dir" ]; then
        rm -f "$pointer"
    fi
    echo "cluster.sh: stopped and removed $dir" >&2
}

restart() {
    local dir
    dir=$(cluster_dir)
    [ -n "$dir" ] && [ -d "$dir/data" ] || { echo "cluster.sh: no cluster" >&2; exit 1; }
    as_owner "$(cat "$dir/bin")/pg_ctl" --pgdata="$dir/data" --log="$dir/server.log" \
        --mode=immediate --wait --timeout=60 restart >/dev/null
}

case "${1:-}" in
start) start ;;
stop) stop ;;
restart) restart ;;
env)
    dir=$(cluster_dir)
    [ -n "$dir" ] && [ -d "$dir/data" ] || { echo "cluster.sh: no cluster" >&2; exit 1; }
    print_env "$dir"
    ;;
psql)
    shift
    dir=$(cluster_dir)
    [ -n "$dir" ] || { echo "cluster.sh: no cluster" >&2; exit 1; }
    "$(cat "$dir/bin")/psql" --host="$dir" --port="$(cat "$dir/port")" --username="$db_user" \
        "$db_name" "$@"
    ;;
*)
    echo "usage: $0 start|stop|restart|env|psql [psql arguments]" >&2
    exit 2
    ;;
esac
