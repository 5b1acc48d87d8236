#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for the CI test run.
#
#   .ci/postgres.sh [start]   start (or reuse) a cluster on 127.0.0.1:$PGPORT and print the
#                             DATABASE_URL on stdout (everything else goes to stderr)
#   .ci/postgres.sh stop      stop the cluster this script started on $PGPORT and delete it
#   .ci/postgres.sh status    exit 0 if a cluster started by this script runs on $PGPORT
#   .ci/postgres.sh url       print the DATABASE_URL without starting anything
#
# PGPORT defaults to 54329. The cluster lives in a fresh /tmp/liens-pg.XXXXXX directory owned by
# the postgres user (initdb refuses to run as root, so as root every server-side command goes
# through `runuser -u postgres --`); /tmp/liens-ci-pg-$PGPORT.state remembers that directory so
# that a second `start` reuses the running cluster and `stop` finds it. The role `liens`
# (password `liens`, CREATEDB, so Django's test runner can create test_liens) owns the database
# `liens`.
set -Eeuo pipefail

PORT=${PGPORT:-54329}
HOST=127.0.0.1
ROLE=liens
PASSWORD=liens
DBNAME=liens
URL="postgres://${ROLE}:${PASSWORD}@${HOST}:${PORT}/${DBNAME}"
STATE="/tmp/liens-ci-pg-${PORT}.state"
READY_TIMEOUT=${PG_READY_TIMEOUT:-60}   # seconds

log() { printf 'postgres.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

case "$PORT" in
    '' | *[!0-9]*) die "PGPORT must be a port number, got '$PORT'" ;;
esac

# --- locate the server binaries (initdb is not on PATH on Debian) --------------------------
find_bindir() {
    local dir
    dir=/usr/lib/postgresql/15/bin
    [ -x "$dir/initdb" ] && { echo "$dir"; return; }
    if command -v pg_config >/dev/null 2>&1; then
        dir=$(pg_config --bindir 2>/dev/null || true)
        [ -n "$dir" ] && [ -x "$dir/initdb" ] && { echo "$dir"; return; }
    fi
    # Highest installed major version.
    local best="" ver
    for dir in /usr/lib/postgresql/*/bin; do
        [ -x "$dir/initdb" ] || continue
        ver=${dir#/usr/lib/postgresql/}
        ver=${ver%/bin}
        case "$ver" in '' | *[!0-9]*) continue ;; esac
        if [ -z "$best" ] || [ "$ver" -gt "${best#*:}" ]; then best="$dir:$ver"; fi
    done
    [ -n "$best" ] && { echo "${best%:*}"; return; }
    dir=$(command -v initdb 2>/dev/null || true)
    [ -n "$dir" ] && { dirname "$dir"; return; }
    return 1
}

# Run a command as the postgres user when we are root (initdb/pg_ctl refuse root).
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

# Does $URL accept our role's password right now?
url_works() {
    PGCONNECT_TIMEOUT=5 "$BIN/psql" "$URL" -X -q -t -A -c 'select 1' >/dev/null 2>&1
}

wait_ready() {
    local i
    for ((i = 0; i < READY_TIMEOUT * 2; i++)); do
        if "$BIN/pg_isready" -q -h "$HOST" -p "$PORT" -t 1; then
            return 0
        fi
        sleep 0.5
    done
    return 1
}

port_busy() {
    # pg_isready: 0 accepting, 1 rejecting (e.g. starting up), 2 no response, 3 no attempt.
    local rc=0
    "$BIN/pg_isready" -q -h "$HOST" -p "$PORT" -t 2 || rc=$?
    [ "$rc" -ne 2 ] && return 0
    # Something that is not PostgreSQL may still hold the port.
    (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null
}

# Is the cluster recorded in $STATE running?
our_cluster_running() {
    [ -f "$STATE" ] || return 1
    local base
    base=$(cat "$STATE")
    [ -d "$base/data" ] && as_pg "$BIN/pg_ctl" -D "$base/data" status >/dev/null 2>&1
}

cmd_start() {
    local base data

    if [ -f "$STATE" ]; then
        base=$(cat "$STATE")
        if our_cluster_running; then
            wait_ready || die "cluster in $base is running but not ready on $HOST:$PORT"
            url_works || die "cluster in $base is running but $URL does not accept connections"
            log "reusing running cluster in $base (port $PORT)"
            echo "$URL"
            return 0
        fi
        log "stale state file $STATE (cluster in '$base' not running); starting afresh"
        rm -rf -- "$base" "$STATE"
    fi

    if port_busy; then
        if url_works; then
            log "a server on $HOST:$PORT already accepts $URL; reusing it (not managed by this script)"
            echo "$URL"
            return 0
        fi
        die "port $PORT on $HOST is in use by something else; pick another with PGPORT=..."
    fi

    base=$(mktemp -d /tmp/liens-pg.XXXXXX)
    chmod 0755 "$base"
    data="$base/data"
    if [ "$(id -u)" -eq 0 ]; then
        id postgres >/dev/null 2>&1 || die "no 'postgres' user (is the postgresql package installed?)"
        chown postgres:postgres "$base"
    fi
    echo "$base" >"$STATE"
    log "initdb in $data (binaries from $BIN)"

    local pwfile="$base/pwfile"
    # shellcheck disable=SC2016 # $1/$2 are expanded by the inner sh
    as_pg sh -c 'umask 077 && printf "%s\n" "$1" >"$2"' sh "$PASSWORD" "$pwfile"

    # Superuser `postgres` authenticates with its password over TCP and trusts the socket,
    # which lives in $base (not /var/run/postgresql, so the packaged cluster is unaffected).
    if ! as_pg "$BIN/initdb" -D "$data" -U postgres --pwfile="$pwfile" \
        --auth-local=trust --auth-host=scram-sha-256 \
        --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$base/initdb.log" 2>&1; then
        cat "$base/initdb.log" >&2
        die "initdb failed"
    fi
    rm -f -- "$pwfile"

    # Throwaway cluster: trade durability for speed.
    # shellcheck disable=SC2016 # $1 is expanded by the inner sh
    as_pg sh -c 'cat >>"$1"' sh "$data/postgresql.conf" <<EOF

# --- liens CI ---
listen_addresses = '$HOST'
port = $PORT
unix_socket_directories = '$base'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 50
EOF

    log "starting PostgreSQL on $HOST:$PORT"
    if ! as_pg "$BIN/pg_ctl" -D "$data" -l "$base/server.log" -w -t "$READY_TIMEOUT" start >/dev/null; then
        cat "$base/server.log" >&2 || true
        die "pg_ctl start failed"
    fi
    if ! wait_ready; then
        cat "$base/server.log" >&2 || true
        die "server not ready on $HOST:$PORT after ${READY_TIMEOUT}s"
    fi

    as_pg "$BIN/psql" -X -q -h "$base" -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 <<SQL
DO \$\$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') THEN
        CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD';
    ELSE
        ALTER ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD';
    END IF;
END
\$\$;
SELECT 'CREATE DATABASE $DBNAME OWNER $ROLE'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DBNAME') \gexec
SQL

    url_works || die "cluster started but $URL does not accept connections"
    log "ready: $URL (data in $data, log in $base/server.log)"
    echo "$URL"
}

cmd_stop() {
    if [ ! -f "$STATE" ]; then
        log "no cluster started by this script on port $PORT; nothing to stop"
        return 0
    fi
    local base
    base=$(cat "$STATE")
    case "$base" in
        /tmp/liens-pg.*) ;;
        *) die "unexpected directory '$base' in $STATE; refusing to delete it" ;;
    esac
    if [ -d "$base/data" ] && as_pg "$BIN/pg_ctl" -D "$base/data" status >/dev/null 2>&1; then
        log "stopping PostgreSQL on port $PORT"
        as_pg "$BIN/pg_ctl" -D "$base/data" -m fast -w -t 30 stop >/dev/null \
            || as_pg "$BIN/pg_ctl" -D "$base/data" -m immediate -w -t 30 stop >/dev/null \
            || die "could not stop the cluster in $base"
    fi
    rm -rf -- "$base" "$STATE"
    log "removed $base"
}

BIN=$(find_bindir) || die "PostgreSQL server binaries not found (apt-get install postgresql)"

case "${1:-start}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) our_cluster_running || exit 1 ;;
    url) echo "$URL" ;;
    *) die "usage: $0 [start|stop|status|url]" ;;
esac
