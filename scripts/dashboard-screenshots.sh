#!/usr/bin/env bash
# Usage: scripts/dashboard-screenshots.sh [DIR]
# Takes the dashboard's screenshots with the real-browser test (tests/integration/test_dashboard_browser.py: headless
# Chromium, a fake-driver all-in-one) and copies them to DIR (default docs/dashboard), where the README shows them:
# launch.png (the launch form), instances.png (the instances table, an instance ACTIVE), volumes.png (a volume
# attached), instance.png (an instance's page), admin-hypervisors.png (the admin's hypervisors), and, with a real
# QEMU guest (tests/integration/test_console_cli.py), instance-console.png (an instance's page with its console).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
out="${1:-docs/dashboard}"
if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then export PATH="/opt/swift/usr/bin:$PATH"; fi
bash scripts/install-test-deps.sh >&2
swift build --product stratus >&2
artifacts=$(mktemp -d)
trap 'rm -rf "$artifacts"' EXIT
STRATUS_TEST_ARTIFACTS="$artifacts" .venv/bin/pytest -q tests/integration/test_dashboard_browser.py \
  tests/integration/test_console_cli.py::test_the_dashboards_instance_page_shows_the_guest_screen >&2
mkdir -p "$out"
cp "$artifacts"/dashboard/*.png "$out"/
ls -1 "$out"/*.png
