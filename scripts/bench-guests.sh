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
source scripts/bench-server.sh
bench_start_server --driver qemu --compute-host bench
echo "server: $(grep -m1 "compute driver" "$work/server.out" || echo "qemu"), pid $pid, port $port"
"$bin/stratus-bench" guests --url "http://127.0.0.1:$port" --password "$password" --data-dir "$work/data" --server-pid "$pid" \
  --image "$image" --rounds "$rounds" --memory-guests "$guests"
