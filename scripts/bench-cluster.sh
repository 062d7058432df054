#!/usr/bin/env bash
# The boot benchmark of bench-compute.sh against the distributed deployment (release build): scripts/cluster.sh with
# K compute processes (STRATUS_CLUSTER_COMPUTES, default 1) each simulating H fake hosts (default 100),
# `stratus-bench servers` through api-1. Compare its servers/s with bench-compute.sh's all-in-one figure. Not a test.
# Usage: [STRATUS_CLUSTER_COMPUTES=K] bash scripts/bench-cluster.sh [-n N] [-c C] [--hosts H] [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-server.sh
hosts=100
export STRATUS_CLUSTER_COMPUTES="${STRATUS_CLUSTER_COMPUTES:-1}"
bench_boot_args "$@"
if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then export PATH="/opt/swift/usr/bin:$PATH"; fi
if [ $build = 1 ]; then
  swift build -c release --product stratus
  swift build -c release --product stratus-bench
fi
dir=$(mktemp -d /tmp/sbc.XXXXXX)
trap 'bash scripts/cluster.sh down "$dir" >/dev/null 2>&1; rm -rf "$dir"' EXIT
STRATUS_BIN=.build/release/stratus STRATUS_CLUSTER_ARGS="--volumes fake" STRATUS_CLUSTER_COMPUTE_ARGS="--fake-hosts $hosts" \
  bash scripts/cluster.sh up "$dir" | tee "$dir/ready"
url=$(sed -n 's|^stratus ready: \(http://[^/]*\)/identity/v3$|\1|p' "$dir/ready")
# shellcheck disable=SC1091
password=$(. "$dir/admin-openrc.sh" && echo "$OS_PASSWORD")
echo "cluster: 2 api, 2 conductors, 2 schedulers, $STRATUS_CLUSTER_COMPUTES compute process(es) of $hosts fake hosts each"
.build/release/stratus-bench servers --url "$url" --password "$password" -n "$n" -c "$c"
