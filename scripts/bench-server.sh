# Sourced by the bench scripts: starts `stratus all-in-one` from .build/release on a fresh data directory and a free
# port, waits for its ready line, and stops it (and any guest it left) on exit. Sets $work, $port, $password, $pid.
# Usage: bench_start_server ARGS...   (the driver arguments)
#        bench_boot_args "$@"           (the boot benchmarks' -n N -c C --hosts H --no-build: sets n c hosts build;
#                                         hosts keeps the caller's default)
bench_boot_args() {
  n=1000 c=8 build=1
  while [ $# -gt 0 ]; do
    case "$1" in
      -n) n=$2; shift 2 ;;
      -c) c=$2; shift 2 ;;
      --hosts) hosts=$2; shift 2 ;;
      --no-build) build=0; shift ;;
      *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
  done
}

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
