#!/usr/bin/env bash
# OpenStack's own acceptance suite (tempest, pinned, from PyPI) against Stratus. Not part of the test command yet.
#
# Usage: scripts/tempest.sh [--url http://HOST:PORT --password PW] [--regex REGEX] [--concurrency N] [--no-build]
#
# Without --url it builds Stratus (release), starts `stratus all-in-one --driver fake --fake-hosts 3` on a free
# loopback port in a throw-away directory, and stops it at the end. Against any Stratus (--url, the admin password)
# it creates what tempest's configuration names: two images, a shared network with a subnet, and writes
# tempest.conf into a tempest workspace. Then it runs `tempest run --regex REGEX` (default: the compute API tests)
# and prints, last, `N passed, M failed, K skipped`. Tempest lives in its own virtualenv (.venv-tempest), apart from
# the test virtualenv. The workspace (its tempest.conf, tempest.log and the stestr results) is kept in
# $TEMPEST_WORKSPACE (default /tmp/stratus-tempest).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
TEMPEST_VERSION=47.0.0
VENV="${TEMPEST_VENV:-$REPO/.venv-tempest}"
WORKSPACE="${TEMPEST_WORKSPACE:-/tmp/stratus-tempest}"
url="" password="" regex='^tempest\.api\.compute\.' concurrency=2 build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --url) url=$2; shift 2 ;;
    --password) password=$2; shift 2 ;;
    --regex) regex=$2; shift 2 ;;
    --concurrency) concurrency=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    *) echo "usage: $0 [--url URL --password PW] [--regex REGEX] [--concurrency N] [--no-build]" >&2; exit 2 ;;
  esac
done
step() { echo "==> $*" >&2; }

# --- tempest, pinned, in its own virtualenv ---------------------------------------------------------------------
if ! "$VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('tempest') != '$TEMPEST_VERSION')" 2>/dev/null; then
  step "installing tempest $TEMPEST_VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check "tempest==$TEMPEST_VERSION" "python-openstackclient==10.5.0"
fi

# --- a cloud: the one given, or an all-in-one of our own -----------------------------------------------------------
cloud_dir=""
cleanup() {
  if [ -n "$cloud_dir" ]; then
    [ -f "$cloud_dir/pid" ] && kill "$(cat "$cloud_dir/pid")" 2>/dev/null || true
    rm -rf "$cloud_dir"
  fi
}
trap cleanup EXIT
if [ -z "$url" ]; then
  if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then export PATH="/opt/swift/usr/bin:$PATH"; fi
  [ $build = 1 ] && swift build -c release --product stratus >&2
  cloud_dir=$(mktemp -d /tmp/stratus-tempest-cloud.XXXXXX)
  password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
  # A port of its own (with --port 0 the catalog would name port 0: the endpoints are recorded before the bind).
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
  step "starting stratus all-in-one --driver fake --fake-hosts 3 on port $port in $cloud_dir"
  STRATUS_ADMIN_PASSWORD="$password" .build/release/stratus all-in-one --driver fake --fake-hosts 3 --data-dir "$cloud_dir/data" \
    --port "$port" --report-interval 2 > "$cloud_dir/stratus.log" 2>&1 &
  echo $! > "$cloud_dir/pid"
  for _ in $(seq 1 600); do
    url=$(sed -n 's|^stratus ready: \(http://[^/]*\)/identity/v3$|\1|p' "$cloud_dir/stratus.log")
    [ -n "$url" ] && break
    kill -0 "$(cat "$cloud_dir/pid")" 2>/dev/null || { tail -20 "$cloud_dir/stratus.log" >&2; exit 1; }
    sleep 0.1
  done
  [ -n "$url" ] || { echo "stratus did not start in 60 s" >&2; tail -20 "$cloud_dir/stratus.log" >&2; exit 1; }
fi
[ -n "$password" ] || { echo "--password is needed with --url" >&2; exit 2; }
export OS_AUTH_URL="$url/identity/v3" OS_USERNAME=admin OS_PASSWORD="$password" OS_PROJECT_NAME=admin \
  OS_USER_DOMAIN_NAME=Default OS_PROJECT_DOMAIN_NAME=Default OS_IDENTITY_API_VERSION=3 OS_REGION_NAME=RegionOne
osc() { "$VENV/bin/openstack" "$@"; }

# --- what tempest.conf names ---------------------------------------------------------------------------------------
step "creating the images, flavors and shared network tempest uses"
image_file=$(mktemp /tmp/stratus-tempest-image.XXXXXX)
head -c 1048576 /dev/urandom > "$image_file"
image_id() {
  osc image show -f value -c id "$1" 2>/dev/null ||
    osc image create --disk-format raw --container-format bare --public --file "$image_file" -f value -c id "$1"
}
image=$(image_id tempest-image)
image_alt=$(image_id tempest-image-alt)
rm -f "$image_file"
osc network show shared-net >/dev/null 2>&1 || {
  osc network create --share shared-net >/dev/null
  osc subnet create --network shared-net --subnet-range 192.168.233.0/24 shared-subnet >/dev/null
}

if [ ! -f "$WORKSPACE/.stestr.conf" ]; then
  rm -rf "$WORKSPACE"
  "$VENV/bin/tempest" init "$WORKSPACE" >/dev/null
fi
cat > "$WORKSPACE/etc/tempest.conf" <<EOF
[DEFAULT]
log_file = $WORKSPACE/tempest.log
debug = false

[auth]
admin_username = admin
admin_password = $password
admin_project_name = admin
admin_domain_name = Default
use_dynamic_credentials = true
create_isolated_networks = false

[identity]
uri_v3 = $url/identity/v3
auth_version = v3
region = RegionOne
disable_ssl_certificate_validation = true

[identity-feature-enabled]
api_v2 = false
api_v3 = true

[compute]
image_ref = $image
image_ref_alt = $image_alt
flavor_ref = 1
flavor_ref_alt = 2
fixed_network_name = shared-net
min_compute_nodes = 3
min_microversion = 2.1
max_microversion = 2.96
build_timeout = 120

[compute-feature-enabled]
console_output = true
resize = true
pause = true
suspend = true
shelve = true
snapshot = true
cold_migration = true
live_migration = true
block_migration_for_live_migration = true
config_drive = true
metadata_service = true
vnc_console = true
serial_console = true
disk_config = true
rescue = false
interface_attach = false
change_password = false
personality = false
attach_encrypted_volume = false
spice_console = false

[network]
shared_physical_network = false

[network-feature-enabled]
ipv6 = false

[validation]
run_validation = false

[image]
container_formats = bare
disk_formats = raw,qcow2

[image-feature-enabled]
api_v2 = true
api_v1 = false

[volume]
catalog_type = volumev3
build_timeout = 120

[service_available]
nova = true
neutron = true
glance = true
cinder = true
swift = false
horizon = false
heat = false
EOF

# --- the run ---------------------------------------------------------------------------------------------------------
step "tempest run --regex '$regex' --concurrency $concurrency (workspace $WORKSPACE)"
cd "$WORKSPACE"
set +e
"$VENV/bin/tempest" run --regex "$regex" --concurrency "$concurrency" > "$WORKSPACE/run.log" 2>&1
set -e
tail -25 "$WORKSPACE/run.log" | grep -E "^(FAIL|Totals|=|-| - )" >&2 || true
passed=$(sed -n 's/^ - Passed: \([0-9]*\).*/\1/p' "$WORKSPACE/run.log" | tail -1)
failed=$(sed -n 's/^ - Failed: \([0-9]*\).*/\1/p' "$WORKSPACE/run.log" | tail -1)
skipped=$(sed -n 's/^ - Skipped: \([0-9]*\).*/\1/p' "$WORKSPACE/run.log" | tail -1)
echo "${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
