#!/usr/bin/env bash
# Usage: scripts/cluster.sh up|down|status DIR
#        scripts/cluster.sh restart DIR NAME   (NAME as `status` lists it: its command of the last `up`, again)
#
# A whole distributed Stratus on this machine, every service its own process, state and logs in DIR:
#   PostgreSQL (a throw-away cluster on 127.0.0.1, scripts/with-postgres.sh), two `stratus api` (one shared data
#   directory DIR/data: token keys and credential files), two `stratus conductor`, two `stratus scheduler`, and
#   three `stratus compute` hosts (compute-1 .. compute-3) with no database credentials, each with its own service
#   user's credentials and data directory, linked to an API process (compute-2 to the second one).
# `up` prints `stratus ready: http://127.0.0.1:PORT/identity/v3` once every host is linked, and writes
# DIR/admin-openrc.sh and DIR/clouds.yaml. `down` stops everything `up` started; `status` lists the processes.
#
# Environment: STRATUS_BIN (default .build/debug/stratus), STRATUS_ADMIN_PASSWORD (default: generated),
# STRATUS_CLUSTER_DRIVER (fake, the default, or qemu: compute-1 runs real QEMU guests, the others stay fake),
# STRATUS_CLUSTER_ARGS (extra arguments of every api, conductor and scheduler).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ "$#" -ge 2 ] || { echo "usage: $0 up|down|status DIR | restart DIR NAME" >&2; exit 2; }
ACTION="$1"
DIR="$(mkdir -p "$2" && cd "$2" && pwd)"
BIN="${STRATUS_BIN:-$REPO/.build/debug/stratus}"
read -r -a EXTRA <<<"${STRATUS_CLUSTER_ARGS:-}"

log() { printf 'cluster: %s\n' "$*" >&2; }

running() { [ -f "$DIR/pids/$1" ] && kill -0 "$(cat "$DIR/pids/$1")" 2>/dev/null; }

# Starts NAME: the command's output goes to DIR/logs/NAME.log (appended), its pid to DIR/pids/NAME, the command
# itself to DIR/cmds/NAME (for `restart`).
start() {
  local name="$1"; shift
  printf '%s\0' "$@" >"$DIR/cmds/$name"
  setsid "$@" >>"$DIR/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$DIR/pids/$name"
}

# Waits until FILE contains TEXT (fails after 60 s or when NAME's process is gone).
wait_for() {
  local name="$1" file="$2" text="$3" deadline=$((SECONDS + 60))
  until grep -q "$text" "$file" 2>/dev/null; do
    running "$name" || { log "$name stopped before it was ready:"; tail -20 "$file" >&2; exit 1; }
    [ "$SECONDS" -lt "$deadline" ] || { log "$name was not ready in 60 s:"; tail -20 "$file" >&2; exit 1; }
    sleep 0.2
  done
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

stop() {
  local name="$1" pid
  [ -f "$DIR/pids/$name" ] || return 0
  pid="$(cat "$DIR/pids/$name")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$DIR/pids/$name"
}

case "$ACTION" in
up)
  [ -x "$BIN" ] || { log "no stratus binary at $BIN (swift build --product stratus, or set STRATUS_BIN)"; exit 1; }
  for pidfile in "$DIR"/pids/*; do
    [ -f "$pidfile" ] && running "$(basename "$pidfile")" && { log "already up in $DIR ($0 down $DIR first)"; exit 1; }
  done
  mkdir -p "$DIR/logs" "$DIR/pids" "$DIR/cmds" "$DIR/data"
  rm -f "$DIR/postgres.url" "$DIR"/logs/*.log
  export STRATUS_ADMIN_PASSWORD="${STRATUS_ADMIN_PASSWORD:-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')}"

  # PostgreSQL lives as long as the command with-postgres.sh runs for it.
  start postgres bash "$REPO/scripts/with-postgres.sh" bash -c 'echo "$STRATUS_TEST_POSTGRES_URL" >"$1.new" && mv "$1.new" "$1" && exec sleep infinity' \
    _ "$DIR/postgres.url"
  wait_for postgres "$DIR/logs/postgres.log" "PostgreSQL"
  until [ -s "$DIR/postgres.url" ]; do running postgres || { tail -20 "$DIR/logs/postgres.log" >&2; exit 1; }; sleep 0.1; done
  DB="$(cat "$DIR/postgres.url")"

  PORTS=("$(free_port)" "$(free_port)")
  for i in 1 2; do
    start "api-$i" "$BIN" api --database "$DB" --data-dir "$DIR/data" --port "${PORTS[$((i - 1))]}" "${EXTRA[@]}"
  done
  for i in 1 2; do wait_for "api-$i" "$DIR/logs/api-$i.log" "stratus ready"; done
  for i in 1 2; do
    start "conductor-$i" "$BIN" conductor --database "$DB" --data-dir "$DIR/data" "${EXTRA[@]}"
    start "scheduler-$i" "$BIN" scheduler --database "$DB" --data-dir "$DIR/data" "${EXTRA[@]}"
  done
  for i in 1 2; do
    wait_for "conductor-$i" "$DIR/logs/conductor-$i.log" "stratus conductor ready"
    wait_for "scheduler-$i" "$DIR/logs/scheduler-$i.log" "stratus scheduler ready"
  done

  for i in 1 2 3; do
    api="http://127.0.0.1:${PORTS[$(((i + 1) % 2))]}"
    mkdir -p "$DIR/compute-$i"
    "$BIN" compute-credentials create "compute-$i" --database "$DB" --data-dir "$DIR/data" \
      --auth-url "$api/identity/v3" --output "$DIR/compute-$i/credentials.json" >"$DIR/logs/credentials-$i.log"
    driver=fake
    [ "$i" -eq 1 ] && driver="${STRATUS_CLUSTER_DRIVER:-fake}"
    # Nothing of the database reaches a compute host: its environment loses the admin password too.
    start "compute-$i" env -u STRATUS_ADMIN_PASSWORD "$BIN" compute --compute-host "compute-$i" --api-url "$api" \
      --credentials "$DIR/compute-$i/credentials.json" --data-dir "$DIR/compute-$i" --driver "$driver"
  done
  for i in 1 2 3; do wait_for "compute-$i" "$DIR/logs/compute-$i.log" "linked to the control plane"; done

  cp "$DIR/data/admin-openrc.sh" "$DIR/data/clouds.yaml" "$DIR/"
  echo "stratus ready: http://127.0.0.1:${PORTS[0]}/identity/v3"
  ;;
down)
  for name in compute-1 compute-2 compute-3 scheduler-1 scheduler-2 conductor-1 conductor-2 api-1 api-2 postgres; do stop "$name"; done
  ;;
restart)
  NAME="${3:?usage: $0 restart DIR NAME}"
  [ -f "$DIR/cmds/$NAME" ] || { log "no process $NAME in $DIR"; exit 1; }
  stop "$NAME"
  mapfile -d '' CMD <"$DIR/cmds/$NAME"
  start "$NAME" "${CMD[@]}"
  ;;
status)
  for pidfile in "$DIR"/pids/*; do
    [ -f "$pidfile" ] || continue
    name="$(basename "$pidfile")"
    if running "$name"; then echo "$name running (pid $(cat "$pidfile"))"; else echo "$name stopped"; fi
  done
  ;;
*)
  echo "usage: $0 up|down|status DIR" >&2; exit 2
  ;;
esac
