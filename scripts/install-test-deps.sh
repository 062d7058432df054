#!/usr/bin/env bash
# Installs what the test suite needs, idempotently:
#   - PostgreSQL server + client (for scripts/with-postgres.sh), from Debian apt
#   - QEMU and the tools scripts/build-test-image.sh builds the test guest with, from Debian apt
#   - noVNC (served by the console proxy), and Chromium, chromedriver and tesseract for the console
#     tests, which open noVNC in a headless browser and read its screenshot, from Debian apt
#   - a Python with a working `venv`, and a virtualenv at $REPO/.venv holding the
#     pinned OpenStack CLI, openstacksdk, pytest and pytest-xdist (for tests/integration)
# Runs apt-get / pip only when something is missing or at the wrong version.
# Meant to run as root on Debian 12 (apt-get is skipped entirely when nothing is missing).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO/.venv"

PINNED=(
  "python-openstackclient==10.5.0"
  "openstacksdk==4.22.0"
  "keystoneauth1==5.18.1"
  "pytest==9.0.3"
  "pytest-xdist==3.8.0"
  "selenium==4.27.1"
  "pillow==11.0.0"
  "websockets==14.1"
)

step() { printf '==> %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# --- 1. apt packages -------------------------------------------------------------------------

have_initdb() {
  local f
  for f in /usr/lib/postgresql/*/bin/initdb; do
    [ -x "$f" ] && return 0
  done
  return 1
}

# A Python that can create a venv with pip inside (Debian's python3 needs python3-venv for that;
# a pyenv Python normally has it built in). Tries $PYTHON, then python3 on PATH, then /usr/bin/python3.
python_can_venv() {
  local py="$1" tmp ok=1
  command -v "$py" >/dev/null 2>&1 || return 1
  "$py" -c 'import sys, venv, ensurepip; sys.exit(0 if sys.version_info >= (3, 10) else 1)' \
    >/dev/null 2>&1 || return 1
  tmp="$(mktemp -d)"
  if "$py" -m venv "$tmp/v" >/dev/null 2>&1 && "$tmp/v/bin/python" -m pip --version >/dev/null 2>&1; then
    ok=0
  fi
  rm -rf "$tmp"
  return "$ok"
}

find_venv_python() {
  local py
  for py in ${PYTHON:-} python3 /usr/bin/python3; do
    if python_can_venv "$py"; then
      command -v "$py"
      return 0
    fi
  done
  return 1
}

venv_ok() {
  [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1
}

step "checking system packages"
missing=()
have_initdb || missing+=(postgresql)
command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
command -v runuser >/dev/null 2>&1 || missing+=(util-linux)
# QEMU (the VirtQEMU tests boot a guest) and what scripts/build-test-image.sh builds it with.
command -v qemu-system-x86_64 >/dev/null 2>&1 || missing+=(qemu-system-x86)
source "$REPO/scripts/test-image-tools.sh"
missing_test_image_tools
command -v genisoimage >/dev/null 2>&1 || missing+=(genisoimage)
[ -f /usr/share/novnc/vnc_lite.html ] || missing+=(novnc)
command -v chromium >/dev/null 2>&1 || missing+=(chromium fonts-dejavu-core)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
command -v tesseract >/dev/null 2>&1 || missing+=(tesseract-ocr tesseract-ocr-eng)
# scripts/cluster.sh puts each compute host in a network namespace of its own.
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
# python3 is also used by with-postgres.sh to pick a free port.
command -v python3 >/dev/null 2>&1 || missing+=(python3)
VENV_PY=""
if ! venv_ok; then
  if VENV_PY="$(find_venv_python)"; then
    :
  else
    missing+=(python3 python3-venv)
  fi
fi

if [ "${#missing[@]}" -gt 0 ]; then
  step "installing with apt-get: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq >/dev/null
  as_root apt-get install -y -qq --no-install-recommends \
    postgresql postgresql-client python3 python3-venv ca-certificates "${missing[@]}" >/dev/null
else
  step "system packages already present"
fi

have_initdb || { echo "error: initdb not found under /usr/lib/postgresql/*/bin" >&2; exit 1; }
id postgres >/dev/null 2>&1 || { echo "error: OS user 'postgres' does not exist" >&2; exit 1; }

# --- 2. virtualenv -----------------------------------------------------------------------------

if ! venv_ok; then
  if [ -z "$VENV_PY" ]; then
    VENV_PY="$(find_venv_python)" || {
      echo "error: no python3 that can create a venv (tried \$PYTHON, python3, /usr/bin/python3)" >&2
      exit 1
    }
  fi
  step "creating virtualenv $VENV with $VENV_PY ($("$VENV_PY" --version 2>&1))"
  rm -rf "$VENV"
  "$VENV_PY" -m venv "$VENV"
else
  step "virtualenv $VENV already present ($("$VENV/bin/python" --version 2>&1))"
fi

# --- 3. pinned Python packages -----------------------------------------------------------------

pins_ok() {
  [ -x "$VENV/bin/openstack" ] && [ -x "$VENV/bin/pytest" ] || return 1
  "$VENV/bin/python" - "${PINNED[@]}" <<'EOF' >/dev/null 2>&1
import sys
from importlib.metadata import version, PackageNotFoundError
for spec in sys.argv[1:]:
    name, want = spec.split("==")
    try:
        if version(name) != want:
            sys.exit(1)
    except PackageNotFoundError:
        sys.exit(1)
EOF
}

if pins_ok; then
  step "pinned Python packages already installed"
else
  step "pip installing ${PINNED[*]}"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check "${PINNED[@]}"
  pins_ok || { echo "error: pinned packages still not installed correctly in $VENV" >&2; exit 1; }
fi

step "ready: $("$VENV/bin/openstack" --version 2>&1), $("$VENV/bin/pytest" --version 2>&1)"
