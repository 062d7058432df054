#!/usr/bin/env bash
# The boot benchmark of bench-compute.sh against the distributed deployment (release build): scripts/cluster.sh with
# every compute process simulating H fake hosts (3 x H hosts), `stratus-bench servers` through api-1. Compare its
# servers/s with bench-compute.sh's all-in-one figure. Not a test.
# Usage: bash scripts/bench-cluster.sh [-n N] [-c C] [--hosts H] [--no-build]
set -euo pipefail
n=1000 c=8 hosts=34 build=1
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
echo "cluster: 2 api, 2 conductors, 2 schedulers, 3 compute processes of $hosts fake hosts each"
.build/release/stratus-bench servers --url "$url" --password "$password" -n "$n" -c "$c"
