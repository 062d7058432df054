# Sourced by the bench scripts: starts `stratus all-in-one` from .build/release on a fresh data directory and a free
# port, waits for its ready line, and stops it (and any guest it left) on exit. Sets $work, $port, $password, $pid.
# Usage: bench_start_server ARGS...   (the driver arguments)
bench_start_server() {
  work=$(mktemp -d /tmp/sb.XXXXXX)  # short: a QEMU guest's QMP socket path must fit in 107 bytes
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  password=bench-$RANDOM$RANDOM
  STRATUS_ADMIN_PASSWORD=$password .build/release/stratus all-in-one "$@" --data-dir "$work/data" --port "$port" \
    > "$work/server.out" 2> "$work/server.err" &
  pid=$!
  trap bench_stop_server EXIT
  for _ in $(seq 1 3000); do
    grep -q "stratus ready" "$work/server.out" && break
    kill -0 $pid 2>/dev/null || { cat "$work/server.err" >&2; exit 1; }
    sleep 0.01
  done
  grep -q "stratus ready" "$work/server.out" || { echo "the server did not get ready" >&2; exit 1; }
}

bench_stop_server() {
  kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null
  for f in "$work"/data/instances/*/pid; do [ -f "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null; done
  rm -rf "$work"
}
