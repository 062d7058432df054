#!/usr/bin/env bash
# The compute benchmark (release build): boots N servers with C requests in flight on H fake hosts through the real
# HTTP API, waits for ACTIVE, lists them with detail, deletes them; then schedules 1,000 instances over 10,000
# simulated hosts. Prints rates, latency percentiles and the server's peak RSS.
# Usage: bash scripts/bench-compute.sh [-n N] [-c C] [--hosts H] [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-server.sh
hosts=100
bench_boot_args "$@"
if [ $build = 1 ]; then
  swift build -c release --product stratus
  swift build -c release --product stratus-bench
fi
bin=.build/release
bench_start_server --driver fake --fake-hosts "$hosts"
echo "server: $hosts fake hosts, pid $pid, port $port"
"$bin/stratus-bench" servers --url "http://127.0.0.1:$port" --password "$password" -n "$n" -c "$c"
echo "server peak RSS: $(awk '/VmHWM/ { printf "%.1f MiB", $2 / 1024 }' /proc/$pid/status)"
"$bin/stratus-bench" schedule --hosts 10000 --instances 1000
