#!/usr/bin/env bash
# Usage: scripts/bench-bus.sh [stratus-bench bus options]
# The durable message bus alone on a throw-away PostgreSQL (release build): casts per second (enqueue, claim,
# handle, remove) and the round trip of a call, as figures. Not a test.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then export PATH="/opt/swift/usr/bin:$PATH"; fi
swift build -c release --product stratus-bench >&2
# shellcheck disable=SC2016 # expanded by the shell with-postgres.sh starts
bash scripts/with-postgres.sh bash -c '"$0" bus --database "$STRATUS_TEST_POSTGRES_URL" "$@"' .build/release/stratus-bench "$@"
