"""Helpers of the tests with real QEMU guests (`--driver qemu`, TCG): the test guest image, waiting on a
server's status and console, and the guests' QEMU processes, which outlive the stratus process by design.
Waiting polls against deadlines; TCG boots on a busy 2-core machine take tens of seconds."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BOOT_DEADLINE = 180.0
WAIT_INTERVAL = 0.5


def build_guest_image() -> str:
    """The test guest built (or reused from its cache) by scripts/build-test-image.sh. QEMU must be installed
    (scripts/install-test-deps.sh): a missing tool is a failure, not a skip."""
    missing = [tool for tool in ("qemu-system-x86_64", "qemu-img") if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} not installed: run scripts/install-test-deps.sh")
    built = subprocess.run(
        ["bash", str(REPO / "scripts" / "build-test-image.sh")], capture_output=True, text=True, timeout=900
    )
    assert built.returncode == 0, f"build-test-image.sh failed:\n{built.stdout}\n{built.stderr}"
    return built.stdout.strip().splitlines()[-1]


def boot_test_guest(cloud, prefix: str, run: str) -> tuple[str, str]:
    """A flavor, the test guest's image and a server booted from them without a NIC, named `<prefix>-…-<run>`, once
    the guest is ready; returns the server's name and id."""
    name, flavor, image = f"{prefix}-server-{run}", f"{prefix}-flavor-{run}", f"{prefix}-guest-{run}"
    cloud.ok("flavor", "create", "--ram", "128", "--vcpus", "1", "--disk", "1", flavor)
    cloud.ok("image", "create", "--file", build_guest_image(), "--disk-format", "qcow2", "--container-format", "bare", image)
    server_id = cloud.json("server", "create", "--flavor", flavor, "--image", image, "--nic", "none", "--wait", name)["id"]
    wait_console(cloud, name, "STRATUS TEST GUEST READY", server_id)
    return name, server_id


def qemu_pid(data_dir: Path, server_id: str) -> int | None:
    """The pid of the server's QEMU when it runs (its pid file names a live process started for this guest)."""
    pid_file = data_dir / "instances" / server_id / "pid"
    try:
        pid = int(pid_file.read_text().strip())
        if str(pid_file.parent) in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
            return pid
    except (OSError, ValueError):
        pass
    return None


def kill_guests(data_dir: Path) -> None:
    """SIGKILLs every guest QEMU under `data_dir`: a failed test must not leave QEMU processes running."""
    for pid_file in (data_dir / "instances").glob("*/pid"):
        pid = qemu_pid(data_dir, pid_file.parent.name)
        if pid is not None:
            os.kill(pid, signal.SIGKILL)


def wait_console(cloud, ref: str, *texts: str, count: int = 1) -> str:
    """The console log once each of `texts` appears in it at least `count` times (polled through openstacksdk)."""
    end = time.monotonic() + BOOT_DEADLINE
    while True:
        log = cloud.console_output(ref)
        if all(log.count(text) >= count for text in texts):
            return log
        if time.monotonic() >= end:
            pytest.fail(f"the console log of {ref} lacks {texts} (x{count}) after {BOOT_DEADLINE:.0f}s:\n{log[-3000:]}")
        time.sleep(WAIT_INTERVAL)


def running(pid: int) -> bool:
    """Whether the process runs (a zombie that nobody reaped does not: a daemonized QEMU's parent is init)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(") ", 1)[-1][:1] != "Z"


def wait_exit(pid: int, deadline: float = 30.0) -> None:
    end = time.monotonic() + deadline
    while running(pid):
        if time.monotonic() >= end:
            pytest.fail(f"process {pid} still runs after {deadline:.0f}s")
        time.sleep(0.1)
