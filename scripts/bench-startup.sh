#!/usr/bin/env bash
# Measures time from exec to the "stratus ready" line (fresh data dir, then restart), 3 rounds.
# Usage: bash scripts/bench-startup.sh [BINARY]   (build first: swift build -c release --product stratus)
set -u
bin=${1:-.build/release/stratus}
measure() {
  local s e pid
  s=$(date +%s%N)
  "$bin" all-in-one --driver fake --data-dir "${TMPDIR:-/tmp}/stratus-bench-startup" --port 18790 > "${TMPDIR:-/tmp}/stratus-bench-startup".out 2>"${TMPDIR:-/tmp}/stratus-bench-startup".err & pid=$!
  for _ in $(seq 1 2000); do grep -q "stratus ready" "${TMPDIR:-/tmp}/stratus-bench-startup".out && break; sleep 0.002; done
  e=$(date +%s%N)
  echo "$1: $(( (e-s)/1000000 )) ms"
  kill -TERM $pid; wait $pid; echo "  exit status after SIGTERM: $?"
}
for i in 1 2 3; do rm -rf "${TMPDIR:-/tmp}/stratus-bench-startup"; measure "fresh data dir"; measure "restart"; done
