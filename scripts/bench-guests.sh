#!/usr/bin/env bash
# The real-guest benchmark (release build): the test image booted through `stratus all-in-one --driver qemu` (TCG)
# and by hand with the same QEMU command line, one guest at a time; prints the time from POST /servers (or from the
# launch) to the guest's banner and to ready, their ratio, the RSS of each guest's QEMU and what Stratus adds per
# running guest. Needs QEMU and the image tools (scripts/install-test-deps.sh).
# Usage: bash scripts/bench-guests.sh [--rounds N] [--memory-guests K] [--no-build]
set -euo pipefail
rounds=5 guests=4 build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --memory-guests) guests=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")/.."
if [ $build = 1 ]; then
  swift build -c release --product stratus
  swift build -c release --product stratus-bench
fi
image=$(bash scripts/build-test-image.sh | tail -n 1)
bin=$PWD/.build/release
work=$(mktemp -d /tmp/sbg.XXXXXX)  # short: a guest's QMP socket path must fit in 107 bytes
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
password=bench-$RANDOM$RANDOM
STRATUS_ADMIN_PASSWORD=$password "$bin/stratus" all-in-one --driver qemu --compute-host bench --data-dir "$work/data" --port "$port" \
  > "$work/server.out" 2> "$work/server.err" &
pid=$!
cleanup() {
  kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null
  for f in "$work"/data/instances/*/pid; do [ -f "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 1 3000); do
  grep -q "stratus ready" "$work/server.out" && break
  kill -0 $pid 2>/dev/null || { cat "$work/server.err" >&2; exit 1; }
  sleep 0.01
done
grep -q "stratus ready" "$work/server.out" || { echo "the server did not get ready" >&2; exit 1; }
echo "server: $(grep -m1 "compute driver" "$work/server.out" || echo "qemu"), pid $pid, port $port"
"$bin/stratus-bench" guests --url "http://127.0.0.1:$port" --password "$password" --data-dir "$work/data" --server-pid "$pid" \
  --image "$image" --rounds "$rounds" --memory-guests "$guests"
