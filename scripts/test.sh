#!/usr/bin/env bash
# THE test command: `bash scripts/test.sh` from the repository root.
#   1. install test dependencies (PostgreSQL, QEMU, the browser, .venv with the openstack CLI and pytest)
#   2. build the Swift package once: its tests and the stratus binary the integration tests run
#   3. run the Swift tests against SQLite and a throw-away PostgreSQL ($STRATUS_TEST_POSTGRES_URL)
#   4. run the integration tests (real openstack CLI against .build/debug/stratus), two modules at a time
# Stops at the first failing step, and prints how long each step took (also when one failed).
#
# `bash scripts/test.sh --quick` is the developers' loop: the Swift tests on SQLite only, and the integration
# tests that need no QEMU guest.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

QUICK=0
case "${1:-}" in
  "") ;;
  --quick) QUICK=1 ;;
  *) echo "usage: bash scripts/test.sh [--quick]" >&2; exit 2 ;;
esac

if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
  export PATH="/opt/swift/usr/bin:$PATH"
fi

STARTED=$SECONDS
PHASES=()
PHASE=""
PHASE_STARTED=$SECONDS

finish_phase() {
  [ -n "$PHASE" ] && PHASES+=("$(printf '%5ds  %s' $((SECONDS - PHASE_STARTED)) "$PHASE")")
  PHASE=""
}

phase() {
  finish_phase
  PHASE="$*"
  PHASE_STARTED=$SECONDS
  printf '\n=== [%s] %s\n' "$(date +%H:%M:%S)" "$*"
}

report() {
  local rc=$?
  finish_phase
  printf '\n=== time per step\n'
  printf '%s\n' "${PHASES[@]}"
  printf '%5ds  total (%s)\n' $((SECONDS - STARTED)) "$([ "$rc" -eq 0 ] && echo "all tests passed" || echo "FAILED, status $rc")"
}
trap report EXIT

phase "1/4 install test dependencies"
bash scripts/install-test-deps.sh

# One build: --build-tests builds every target, the stratus executable among them, so step 4 runs the
# binary this step made. CI (CI=true, a fresh clone, no debugger) builds without debug information, which took
# 400 s instead of 490 s on 2 cores; elsewhere the build keeps SwiftPM's defaults, so that a `swift test` by
# hand reuses it instead of building everything again.
BUILD=(swift build --build-tests)
[ "${CI:-}" = "true" ] && BUILD+=(-debug-info-format none)
phase "2/4 ${BUILD[*]}"
"${BUILD[@]}"

if [ "$QUICK" -eq 1 ]; then
  phase "3/4 swift test (SQLite only: --quick)"
  swift test --skip-build
else
  phase "3/4 swift test (with a throw-away PostgreSQL)"
  bash scripts/with-postgres.sh swift test --skip-build
fi

# STRATUS_BIN may be preset to test another binary; the default is the one built in step 2.
export STRATUS_BIN="${STRATUS_BIN:-$REPO/.build/debug/stratus}"
phase "4/4 integration tests (openstack CLI against $STRATUS_BIN)"
# Two workers; each module runs whole on one worker, and the modules with QEMU guests all on the same one,
# one after another (tests/integration/conftest.py), so that no two TCG guests starve each other.
PYTEST=(.venv/bin/pytest -q -n 2 --dist loadgroup --no-loadscope-reorder --durations 15 tests/integration)
[ "$QUICK" -eq 1 ] && PYTEST+=(-m "not qemu")
"${PYTEST[@]}"
