#!/usr/bin/env bash
# Usage: scripts/with-postgres.sh CMD [ARGS...]
#
# Starts a throw-away PostgreSQL cluster (temp dir, random free port on 127.0.0.1, random
# password), runs CMD with
#   STRATUS_TEST_POSTGRES_URL=postgres://stratus:PASSWORD@127.0.0.1:PORT/stratus_test
# exported, then stops the cluster and deletes its directory (also on failure / Ctrl-C), and
# exits with CMD's status. Role `stratus` owns database `stratus_test` and may create databases.
# Clusters left behind by a previous run that was killed (SIGKILL) are cleaned up at start.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 CMD [ARGS...]" >&2
  exit 2
fi

log() { printf 'with-postgres: %s\n' "$*" >&2; }

# Highest installed PostgreSQL version.
PGBIN=""
for d in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V); do
  [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && PGBIN="$d"
done
if [ -z "$PGBIN" ]; then
  log "no initdb/pg_ctl under /usr/lib/postgresql/*/bin; run scripts/install-test-deps.sh"
  exit 1
fi

# initdb/postgres refuse to run as root: run the server side as the `postgres` OS user.
if [ "$(id -u)" -eq 0 ]; then
  PGUSER_OS=postgres
  id "$PGUSER_OS" >/dev/null 2>&1 || { log "OS user 'postgres' missing"; exit 1; }
  as_pg() { (cd "$PGTMP" && runuser -u "$PGUSER_OS" -- "$@"); }
else
  PGUSER_OS="$(id -un)"
  as_pg() { (cd "$PGTMP" && "$@"); }
fi

# Always /tmp (not $TMPDIR): the postgres user must be able to reach the directory, and the
# unix socket path must stay short.
BASE=/tmp
PREFIX=stratus-pg.

stop_cluster_in() {
  local dir="$1"
  if [ -f "$dir/data/postmaster.pid" ]; then
    (cd "$dir" && if [ "$(id -u)" -eq 0 ]; then
       runuser -u "$PGUSER_OS" -- "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop
     else
       "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop
     fi) >/dev/null 2>&1 || true
  fi
}

# Clean up clusters of earlier runs whose wrapper process is gone (e.g. killed with SIGKILL).
for dir in "$BASE"/"$PREFIX"*; do
  [ -d "$dir" ] || continue
  if [ -f "$dir/owner.pid" ]; then
    owner="$(cat "$dir/owner.pid" 2>/dev/null || true)"
    if [ -n "$owner" ] && kill -0 "$owner" 2>/dev/null; then
      continue # still in use by a live run
    fi
  elif [ -z "$(find "$dir" -maxdepth 0 -mmin +10 2>/dev/null)" ]; then
    continue # too young to judge (another run may be creating it right now)
  fi
  log "removing stale cluster $dir"
  stop_cluster_in "$dir"
  rm -rf "$dir" 2>/dev/null || true
done

PGTMP="$(mktemp -d "$BASE/${PREFIX}XXXXXXXX")"
echo "$$" >"$PGTMP/owner.pid"
STARTED=0

# shellcheck disable=SC2329 # invoked by the EXIT trap
cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  if [ "$STARTED" -eq 1 ]; then
    stop_cluster_in "$PGTMP"
  fi
  rm -rf "$PGTMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

chown "$PGUSER_OS": "$PGTMP"
chmod 700 "$PGTMP"

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Hex only, so it needs no escaping in the URL or in SQL.
PASSWORD="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"

as_pg "$PGBIN/initdb" -D "$PGTMP/data" -U postgres --no-sync \
  --encoding=UTF8 --locale=C.UTF-8 \
  --auth-local=trust --auth-host=scram-sha-256 >"$PGTMP/initdb.log" 2>&1 || {
  log "initdb failed:"; cat "$PGTMP/initdb.log" >&2; exit 1; }

cat >>"$PGTMP/data/postgresql.conf" <<EOF

# --- scripts/with-postgres.sh: throw-away test cluster ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PGTMP'
password_encryption = 'scram-sha-256'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
EOF

# Unix socket (only reachable by postgres/root, dir is 0700): trust, for setup.
# TCP from 127.0.0.1: password (SCRAM) for role stratus only.
cat >"$PGTMP/data/pg_hba.conf" <<EOF
local   all   postgres                  trust
host    all   stratus    127.0.0.1/32   scram-sha-256
EOF

# The port is picked before the server binds it; retry if another process grabbed it meanwhile.
PORT=""
for attempt in 1 2 3 4 5; do
  PORT="$(free_port)"
  STARTED=1
  if as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/server.log" -o "-p $PORT" -w -t 60 start \
      >/dev/null 2>&1; then
    break
  fi
  STARTED=0
  stop_cluster_in "$PGTMP"
  if [ "$attempt" -eq 5 ]; then
    log "could not start PostgreSQL; server log:"
    cat "$PGTMP/server.log" >&2 || true
    exit 1
  fi
  log "start on port $PORT failed (attempt $attempt), retrying"
done

psql_admin() {
  as_pg "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PGTMP" -p "$PORT" -U postgres -d postgres "$@"
}
psql_admin -c "CREATE ROLE stratus LOGIN CREATEDB PASSWORD '$PASSWORD'" >/dev/null
psql_admin -c "CREATE DATABASE stratus_test OWNER stratus" >/dev/null

export STRATUS_TEST_POSTGRES_URL="postgres://stratus:${PASSWORD}@127.0.0.1:${PORT}/stratus_test"
log "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT (dir $PGTMP)"

# Run CMD in the background so that a SIGTERM/SIGINT/SIGHUP sent to this script is passed on
# to it (TERM: asynchronous commands ignore SIGINT) and the cluster is still cleaned up after.
"$@" <&0 &
CHILD=$!
SIGNALLED=0
trap 'SIGNALLED=1; kill -TERM "$CHILD" 2>/dev/null || true' INT TERM HUP
while :; do
  SIGNALLED=0
  set +e
  wait "$CHILD"
  status=$?
  set -e
  [ "$SIGNALLED" -eq 1 ] || break
done
exit "$status"
