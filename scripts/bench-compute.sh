#!/usr/bin/env bash
# The compute benchmark (release build): boots N servers with C requests in flight on H fake hosts through the real
# HTTP API, waits for ACTIVE, lists them with detail, deletes them; then schedules 1,000 instances over 10,000
# simulated hosts. Prints rates, latency percentiles and the server's peak RSS.
# Usage: bash scripts/bench-compute.sh [-n N] [-c C] [--hosts H] [--no-build]
set -euo pipefail
n=1000 c=8 hosts=100 build=1
while [ $# -gt 0 ]; do
  case "$1" in
    -n) n=$2; shift 2 ;;
    -c) c=$2; shift 2 ;;
    --hosts) hosts=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")/.."
if [ $build = 1 ]; then
  swift build -c release --product stratus
  swift build -c release --product stratus-bench
fi
bin=.build/release
source scripts/bench-server.sh
bench_start_server --driver fake --fake-hosts "$hosts"
echo "server: $hosts fake hosts, pid $pid, port $port"
"$bin/stratus-bench" servers --url "http://127.0.0.1:$port" --password "$password" -n "$n" -c "$c"
echo "server peak RSS: $(awk '/VmHWM/ { printf "%.1f MiB", $2 / 1024 }' /proc/$pid/status)"
"$bin/stratus-bench" schedule --hosts 10000 --instances 1000
