#!/bin/sh
# A throwaway PostgreSQL cluster for the store tests.
#
#   scripts/pg-test-server.sh start DIR   initdb a cluster, start it, create database
#                                         mid_test, print its URI (also kept in DIR/uri)
#   scripts/pg-test-server.sh stop DIR    stop the cluster and delete it
#
# The server listens only on a unix socket in its own directory and on 127.0.0.1
# at a free port, with trust authentication for the local user: it holds nothing
# but test data and lives for one test run. The cluster itself lives in a fresh
# directory under ${TMPDIR:-/tmp} (DIR may sit where the postgres user cannot
# reach); DIR keeps the URI and the cluster's path.
#
# When run as root, initdb and the server run as the postgres user (PostgreSQL
# refuses to run as root). When the PostgreSQL binaries are missing, start says
# so on stderr and exits 0 without writing DIR/uri, so the tests skip instead of
# failing.
set -eu

usage() {
    echo "usage: $0 start|stop DIR" >&2
    exit 2
}
[ $# -eq 2 ] || usage
cmd=$1
dir=$2

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

find_bin() {
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
            echo "$d"
            return 0
        fi
    done
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(command -v initdb)"
        return 0
    fi
    return 1
}

stop() {
    [ -f "$dir/cluster" ] || return 0
    cluster=$(cat "$dir/cluster")
    bin=$(cat "$dir/bin" 2>/dev/null || true)
    if [ -n "$bin" ] && [ -d "$cluster/data" ]; then
        as_owner "$bin/pg_ctl" -D "$cluster/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    case "$cluster" in
    */mid-pg.*) rm -rf "$cluster" ;;
    esac
    rm -f "$dir/cluster" "$dir/bin" "$dir/uri"
}

case "$cmd" in
start)
    mkdir -p "$dir"
    stop # a cluster left over from an interrupted run
    if ! bin=$(find_bin); then
        echo "pg-test-server: PostgreSQL binaries not found (apt-get install postgresql); PostgreSQL tests will skip" >&2
        exit 0
    fi
    if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
        echo "pg-test-server: running as root and there is no postgres user; PostgreSQL tests will skip" >&2
        exit 0
    fi
    cluster=$(mktemp -d "${TMPDIR:-/tmp}/mid-pg.XXXXXX")
    echo "$cluster" >"$dir/cluster"
    echo "$bin" >"$dir/bin"
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres "$cluster"
    fi
    chmod 700 "$cluster"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_owner "$bin/initdb" -D "$cluster/data" -E UTF8 --locale=C --auth=trust -U mid \
        >"$cluster/initdb.log" 2>&1 || {
        echo "pg-test-server: initdb failed:" >&2
        cat "$cluster/initdb.log" >&2
        stop
        exit 1
    }
    as_owner "$bin/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" -w \
        -o "-k $cluster -h 127.0.0.1 -p $port" start >/dev/null || {
        echo "pg-test-server: the server did not start:" >&2
        cat "$cluster/server.log" >&2
        stop
        exit 1
    }
    as_owner "$bin/createdb" -h "$cluster" -p "$port" -U mid mid_test
    uri="postgresql://mid@/mid_test?host=$cluster&port=$port"
    echo "$uri" >"$dir/uri"
    echo "$uri"
    ;;
stop)
    stop
    ;;
*)
    usage
    ;;
esac
