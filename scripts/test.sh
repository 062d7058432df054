#!/usr/bin/env bash
# THE test command: `bash scripts/test.sh` from the repository root.
#   1. install test dependencies (PostgreSQL, .venv with the openstack CLI and pytest)
#   2. build the Swift package and its tests
#   3. run the Swift tests against a throw-away PostgreSQL ($STRATUS_TEST_POSTGRES_URL)
#   4. build the stratus binary (debug)
#   5. run the integration tests (real openstack CLI against .build/debug/stratus)
# Stops at the first failing step.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
  export PATH="/opt/swift/usr/bin:$PATH"
fi

header() { printf '\n=== [%s] %s\n' "$(date +%H:%M:%S)" "$*"; }

header "1/5 install test dependencies"
bash scripts/install-test-deps.sh

header "2/5 swift build --build-tests"
swift build --build-tests

header "3/5 swift test (with a throw-away PostgreSQL)"
bash scripts/with-postgres.sh swift test --skip-build

header "4/5 swift build --product stratus"
swift build --product stratus

# STRATUS_BIN may be preset to test another binary; the default is the one built in step 4.
export STRATUS_BIN="${STRATUS_BIN:-$REPO/.build/debug/stratus}"
header "5/5 integration tests (openstack CLI against $STRATUS_BIN)"
.venv/bin/pytest -q tests/integration

header "all tests passed"
