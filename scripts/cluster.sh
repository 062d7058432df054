#!/usr/bin/env bash
# Usage: scripts/cluster.sh up|down|status DIR
#        scripts/cluster.sh restart DIR NAME   (NAME as `status` lists it: its command of the last `up`, again, until it is ready)
#        scripts/cluster.sh link DIR compute-N up|down   (cuts or restores a compute host's network; namespaces only)
#        scripts/cluster.sh exec DIR compute-N CMD...     (runs CMD on that host: in its namespace, with
#                                                          STRATUS_CLUSTER_ADDRESS set to its address there)
#
# A whole distributed Stratus on this machine, every service its own process, state and logs in DIR:
#   PostgreSQL (a throw-away cluster on 127.0.0.1, scripts/with-postgres.sh), two `stratus api` (one shared data
#   directory DIR/data: token keys and credential files), two `stratus conductor`, two `stratus scheduler`, and
#   three `stratus compute` hosts (compute-1 .. compute-3) with no database credentials, each with its own service
#   user's credentials and data directory, linked to an API process (compute-2 to the second one).
# As root, each compute host runs in a network namespace of its own (`ip netns`), joined by a veth pair to a bridge
# that carries 10.213.N.0/24 (N from DIR): the API processes listen on the bridge's 10.213.N.1 and nowhere else, and
# PostgreSQL on 127.0.0.1 only, so a compute host reaches the control plane only through the API, over that network.
# Not root, or where namespaces cannot be made (no iproute2, no CAP_NET_ADMIN): everything on 127.0.0.1 (a warning
# says so; DIR/network records which).
# `up` prints `stratus ready: http://HOST:PORT/identity/v3` once every host is linked, and writes
# DIR/admin-openrc.sh and DIR/clouds.yaml. `down` stops everything `up` started; `status` lists the processes.
#
# Environment: STRATUS_BIN (default .build/debug/stratus), STRATUS_ADMIN_PASSWORD (default: generated),
# STRATUS_CLUSTER_DRIVER (fake, the default, or qemu: compute-1 and compute-2 run real QEMU guests, and live-migrate
# them to each other over their network; compute-3 stays fake),
# STRATUS_CLUSTER_ARGS (extra arguments of every api, conductor and scheduler), STRATUS_CLUSTER_COMPUTE_ARGS (of every
# compute host), STRATUS_CLUSTER_COMPUTES (how many compute hosts: 1 to 3, default 3).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
USAGE="usage: $0 up|down|status DIR | restart DIR NAME | link DIR NAME up|down | exec DIR NAME CMD..."
[ "$#" -ge 2 ] || { echo "$USAGE" >&2; exit 2; }
ACTION="$1"
DIR="$(mkdir -p "$2" && cd "$2" && pwd)"
BIN="${STRATUS_BIN:-$REPO/.build/debug/stratus}"
read -r -a EXTRA <<<"${STRATUS_CLUSTER_ARGS:-}"
read -r -a COMPUTE_EXTRA <<<"${STRATUS_CLUSTER_COMPUTE_ARGS:-}"
COMPUTES="${STRATUS_CLUSTER_COMPUTES:-3}"
case "$COMPUTES" in 1 | 2 | 3) ;; *) echo "STRATUS_CLUSTER_COMPUTES must be 1, 2 or 3" >&2; exit 2 ;; esac

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

# Waits until FILE contains TEXT after its first FROM bytes (fails after 60 s or when NAME's process is gone).
wait_for() {
  local name="$1" file="$2" text="$3" from="${4:-0}" deadline=$((SECONDS + 60))
  until tail -c "+$((from + 1))" "$file" 2>/dev/null | grep -q "$text"; do
    running "$name" || { log "$name stopped before it was ready:"; tail -20 "$file" >&2; exit 1; }
    [ "$SECONDS" -lt "$deadline" ] || { log "$name was not ready in 60 s:"; tail -20 "$file" >&2; exit 1; }
    sleep 0.2
  done
}

# The line a process prints once it is ready.
ready_text() {
  case "$1" in
    api-*) echo "stratus ready" ;;
    compute-*) echo "linked to the control plane" ;;
    *) echo "stratus ${1%-*} ready" ;;
  esac
}

# The network of the compute hosts (root only): names and addresses from DIR, so clusters in other DIRs do not meet.
NETID="$(printf '%s' "$DIR" | md5sum | cut -c1-6)"
SUBNET="10.213.$((16#${NETID:0:2}))"
BRIDGE="sbr$NETID"
netns() { echo "stratus-$NETID-$1"; }
veth() { echo "s$NETID${1/compute-/c}$2"; }
address() { echo "$SUBNET.$((10 + ${1#compute-}))"; }

network_down() {
  for i in 1 2 3; do
    ip netns del "$(netns "compute-$i")" 2>/dev/null || true
    ip link del "$(veth "compute-$i" h)" 2>/dev/null || true
  done
  ip link del "$BRIDGE" 2>/dev/null || true
}

# Fails (status 1) where namespaces cannot be made (no iproute2, no CAP_NET_ADMIN): `up` then falls back to loopback.
network_up() {
  network_down
  command -v ip >/dev/null 2>&1 || { echo "no ip command (iproute2)"; return 1; }
  ip link add "$BRIDGE" type bridge || return 1
  ip addr add "$SUBNET.1/24" dev "$BRIDGE" || return 1
  ip link set "$BRIDGE" up || return 1
  for i in 1 2 3; do
    local ns; ns="$(netns "compute-$i")"
    ip netns add "$ns" || return 1
    ip link add "$(veth "compute-$i" h)" type veth peer name "$(veth "compute-$i" n)" || return 1
    ip link set "$(veth "compute-$i" n)" netns "$ns" || return 1
    ip link set "$(veth "compute-$i" h)" master "$BRIDGE" up || return 1
    ip -n "$ns" addr add "$(address "compute-$i")/24" dev "$(veth "compute-$i" n)" || return 1
    ip -n "$ns" link set "$(veth "compute-$i" n)" up || return 1
    ip -n "$ns" link set lo up || return 1
  done
}

# Whether this cluster's compute hosts have namespaces (`up` wrote DIR/network).
namespaced() { [ "$(cat "$DIR/network" 2>/dev/null)" = netns ]; }

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

  if [ "$(id -u)" -ne 0 ]; then
    log "not root: no network namespaces; the compute hosts share 127.0.0.1 with the control plane"
    echo loopback >"$DIR/network"
    HOST=127.0.0.1
  elif ! network_up >"$DIR/logs/network.log" 2>&1; then
    log "network namespaces cannot be made here ($(tail -1 "$DIR/logs/network.log")); the compute hosts share 127.0.0.1"
    network_down
    echo loopback >"$DIR/network"
    HOST=127.0.0.1
  else
    echo netns >"$DIR/network"
    HOST="$SUBNET.1"
  fi
  PORTS=("$(free_port)" "$(free_port)")
  for i in 1 2; do
    start "api-$i" "$BIN" api --database "$DB" --data-dir "$DIR/data" --host "$HOST" --port "${PORTS[$((i - 1))]}" "${EXTRA[@]}"
  done
  for i in 1 2; do wait_for "api-$i" "$DIR/logs/api-$i.log" "$(ready_text "api-$i")"; done
  for i in 1 2; do
    start "conductor-$i" "$BIN" conductor --database "$DB" --data-dir "$DIR/data" "${EXTRA[@]}"
    start "scheduler-$i" "$BIN" scheduler --database "$DB" --data-dir "$DIR/data" "${EXTRA[@]}"
  done
  for i in 1 2; do
    wait_for "conductor-$i" "$DIR/logs/conductor-$i.log" "$(ready_text "conductor-$i")"
    wait_for "scheduler-$i" "$DIR/logs/scheduler-$i.log" "$(ready_text "scheduler-$i")"
  done

  for i in $(seq 1 "$COMPUTES"); do
    api="http://$HOST:${PORTS[$(((i + 1) % 2))]}"
    mkdir -p "$DIR/compute-$i"
    "$BIN" compute-credentials create "compute-$i" --database "$DB" --data-dir "$DIR/data" \
      --auth-url "$api/identity/v3" --output "$DIR/compute-$i/credentials.json" >"$DIR/logs/credentials-$i.log"
    driver=fake
    [ "$i" -le 2 ] && driver="${STRATUS_CLUSTER_DRIVER:-fake}"
    # Nothing of the database reaches a compute host: its environment loses the admin password too.
    inside=()
    migration=()
    if namespaced; then
      inside=(ip netns exec "$(netns "compute-$i")")
      [ "$driver" = qemu ] && migration=(--migration-address "$(address "compute-$i")")
    fi
    start "compute-$i" "${inside[@]}" env -u STRATUS_ADMIN_PASSWORD "$BIN" compute --compute-host "compute-$i" --api-url "$api" \
      --credentials "$DIR/compute-$i/credentials.json" --data-dir "$DIR/compute-$i" --driver "$driver" "${migration[@]}" "${COMPUTE_EXTRA[@]}"
  done
  for i in $(seq 1 "$COMPUTES"); do wait_for "compute-$i" "$DIR/logs/compute-$i.log" "$(ready_text "compute-$i")"; done

  cp "$DIR/data/admin-openrc.sh" "$DIR/data/clouds.yaml" "$DIR/"
  echo "stratus ready: http://$HOST:${PORTS[0]}/identity/v3"
  ;;
down)
  for name in compute-1 compute-2 compute-3 scheduler-1 scheduler-2 conductor-1 conductor-2 api-1 api-2 postgres; do stop "$name"; done
  [ "$(id -u)" -eq 0 ] && network_down
  ;;
link)
  NAME="${3:?usage: $0 link DIR compute-N up|down}"
  STATE="${4:?usage: $0 link DIR compute-N up|down}"
  namespaced || { log "link needs the compute hosts' network namespaces, which this cluster has not (see up's warning)"; exit 1; }
  ip link set "$(veth "$NAME" h)" "$STATE"
  ;;
restart)
  NAME="${3:?usage: $0 restart DIR NAME}"
  [ -f "$DIR/cmds/$NAME" ] || { log "no process $NAME in $DIR"; exit 1; }
  stop "$NAME"
  mapfile -d '' CMD <"$DIR/cmds/$NAME"
  logged="$(stat -c %s "$DIR/logs/$NAME.log" 2>/dev/null || echo 0)"
  start "$NAME" "${CMD[@]}"
  wait_for "$NAME" "$DIR/logs/$NAME.log" "$(ready_text "$NAME")" "$logged"
  ;;
exec)
  NAME="${3:?usage: $0 exec DIR compute-N CMD...}"
  shift 3
  if namespaced; then
    exec ip netns exec "$(netns "$NAME")" env STRATUS_CLUSTER_ADDRESS="$(address "$NAME")" "$@"
  fi
  exec env STRATUS_CLUSTER_ADDRESS=127.0.0.1 "$@"
  ;;
status)
  for pidfile in "$DIR"/pids/*; do
    [ -f "$pidfile" ] || continue
    name="$(basename "$pidfile")"
    if running "$name"; then echo "$name running (pid $(cat "$pidfile"))"; else echo "$name stopped"; fi
  done
  ;;
*)
  echo "$USAGE" >&2; exit 2
  ;;
esac
