"""Real guests: `stratus all-in-one --driver qemu` (TCG) driven by the real `openstack` CLI.

The module has a server of its own, started with `--driver qemu` (`STRATUS_SERVER_ARGS`). It uploads the
test guest built by scripts/build-test-image.sh, boots it, reads its boot banner and its own id (the guest
prints its SMBIOS uuid, which QEMU is given as the instance's) from `openstack console log show`, stops and
starts it, and deletes it. QEMU must be installed (scripts/install-test-deps.sh): a missing tool is a
failure, not a skip. Waiting polls against deadlines; TCG boots on a busy 2-core machine take tens of seconds.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import time

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

RUN = secrets.token_hex(3)
STRATUS_SERVER_ARGS = ("--driver", "qemu", "--compute-host", "qemu-cli-host", "--shutdown-timeout", "30")

IMAGE = f"stratus-test-guest-{RUN}"
NOT_A_DISK = f"stratus-not-a-disk-{RUN}"
FLAVOR = f"stratus-guest-flavor-{RUN}"
SERVER = f"stratus-guest-{RUN}"
BAD = f"stratus-bad-guest-{RUN}"

BOOT_DEADLINE = 180.0
WAIT_INTERVAL = 0.5


@pytest.fixture(scope="module")
def cloud(module_cloud):
    yield module_cloud
    # Guests outlive the server by design; a failed test must not leave its QEMU processes running.
    for pid_file in (module_cloud.data_dir / "instances").glob("*/pid"):
        try:
            pid = int(pid_file.read_text().strip())
            if str(pid_file.parent) in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
                os.kill(pid, signal.SIGKILL)
        except (OSError, ValueError):
            pass


@pytest.fixture(scope="module")
def test_image() -> str:
    missing = [tool for tool in ("qemu-system-x86_64", "qemu-img") if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} not installed: run scripts/install-test-deps.sh")
    built = subprocess.run(
        ["bash", str(REPO / "scripts" / "build-test-image.sh")], capture_output=True, text=True, timeout=900
    )
    assert built.returncode == 0, f"build-test-image.sh failed:\n{built.stdout}\n{built.stderr}"
    return built.stdout.strip().splitlines()[-1]


def _status(cloud, ref: str) -> str:
    return cloud.ok("server", "show", "-f", "value", "-c", "status", ref).stdout.strip()


def _power_state(cloud, ref: str) -> str:
    return cloud.ok("server", "show", "-f", "value", "-c", "OS-EXT-STS:power_state", ref).stdout.strip()


def _wait_status(cloud, ref: str, want: str, deadline: float = BOOT_DEADLINE) -> None:
    end = time.monotonic() + deadline
    while (status := _status(cloud, ref)) != want:
        if status == "ERROR" and want != "ERROR":
            pytest.fail(f"server {ref} went to ERROR waiting for {want}\n{cloud.json('server', 'show', ref)}")
        if time.monotonic() >= end:
            pytest.fail(f"server {ref} is {status}, not {want}, after {deadline:.0f}s")
        time.sleep(WAIT_INTERVAL)


def _wait_console(cloud, ref: str, *texts: str) -> str:
    end = time.monotonic() + BOOT_DEADLINE
    while True:
        log = cloud.ok("console", "log", "show", ref).stdout
        if all(text in log for text in texts):
            return log
        if time.monotonic() >= end:
            pytest.fail(f"the console log of {ref} lacks {texts} after {BOOT_DEADLINE:.0f}s:\n{log[-3000:]}")
        time.sleep(WAIT_INTERVAL)


def test_hypervisor_is_qemu(cloud):
    rows = cloud.json("hypervisor", "list", "--long")
    assert [row["Hypervisor Hostname"] for row in rows] == ["qemu-cli-host"], rows
    shown = cloud.json("hypervisor", "show", "qemu-cli-host")
    assert shown["hypervisor_type"] == "QEMU", shown
    # Before 2.88 the hypervisor has cpu_info, where the accelerator (never guessed from /dev/kvm) is.
    older = cloud.json("--os-compute-api-version", "2.87", "hypervisor", "show", "qemu-cli-host")
    cpu_info = older["cpu_info"] if isinstance(older["cpu_info"], dict) else json.loads(older["cpu_info"])
    assert cpu_info == {"arch": "x86_64", "accelerator": "tcg"}, older


def test_boot_console_stop_start_delete(cloud, test_image):
    # 128 MiB is what the test guest needs; a TCG guest touches all of its memory while it boots.
    cloud.ok("flavor", "create", "--ram", "128", "--vcpus", "1", "--disk", "1", FLAVOR)
    cloud.ok("image", "create", "--file", test_image, "--disk-format", "qcow2", "--container-format", "bare", IMAGE)
    server = cloud.json("server", "create", "--flavor", FLAVOR, "--image", IMAGE, "--nic", "none", "--wait", SERVER)
    assert server["status"] == "ACTIVE", server
    server_id = server["id"]
    log = _wait_console(cloud, SERVER, "STRATUS TEST GUEST READY", server_id)
    assert f"smbios uuid {server_id}" in log, log[-3000:]
    instance_dir = cloud.data_dir / "instances" / server_id
    assert (instance_dir / "disk.qcow2").is_file() and (instance_dir / "console.log").is_file()

    # Suspend saves the guest's RAM and devices to a file and ends its QEMU; resume restores the same guest.
    cloud.ok("server", "suspend", SERVER)
    _wait_status(cloud, SERVER, "SUSPENDED", deadline=60.0)
    assert _power_state(cloud, SERVER) in ("7", "Suspended")
    assert (instance_dir / "state.save").is_file() and not (instance_dir / "pid").exists()
    cloud.ok("server", "resume", SERVER)
    _wait_status(cloud, SERVER, "ACTIVE", deadline=60.0)
    assert _power_state(cloud, SERVER) in ("1", "Running")
    assert not (instance_dir / "state.save").exists()

    # The guest (the resumed one, still running) powers off on the ACPI button, within --shutdown-timeout (30 s; after
    # it QEMU would be quit).
    cloud.ok("server", "stop", SERVER)
    _wait_status(cloud, SERVER, "SHUTOFF", deadline=25.0)
    cloud.ok("server", "start", SERVER)
    _wait_status(cloud, SERVER, "ACTIVE")
    assert _power_state(cloud, SERVER) in ("1", "Running")
    # The second boot appends to the same console log.
    end = time.monotonic() + BOOT_DEADLINE
    while cloud.ok("console", "log", "show", SERVER).stdout.count("STRATUS TEST GUEST READY") < 2:
        if time.monotonic() >= end:
            pytest.fail(f"no second boot on the console of {SERVER} after {BOOT_DEADLINE:.0f}s")
        time.sleep(WAIT_INTERVAL)
    # Two boots in all: the resume continued the first one.
    log = cloud.ok("console", "log", "show", SERVER).stdout
    assert log.count("STRATUS TEST GUEST 2") == 2, log[-3000:]

    cloud.ok("server", "delete", "--wait", SERVER)
    assert not instance_dir.exists(), f"{instance_dir} left behind: {list(instance_dir.iterdir())}"


def test_not_a_disk_image_fails_with_a_clear_fault(cloud, tmp_path):
    text = tmp_path / "not-a-disk.qcow2"
    text.write_text("this is a text file, not a disk image\n")
    cloud.ok("image", "create", "--file", str(text), "--disk-format", "qcow2", "--container-format", "bare", NOT_A_DISK)
    image_id = cloud.ok("image", "show", "-f", "value", "-c", "id", NOT_A_DISK).stdout.strip()
    cloud.ok("server", "create", "--flavor", "m1.tiny", "--image", NOT_A_DISK, "--nic", "none", BAD)
    _wait_status(cloud, BAD, "ERROR", deadline=60.0)
    fault = cloud.json("server", "show", BAD)["fault"]
    message = fault["message"] if isinstance(fault, dict) else str(fault)
    assert f"Image {image_id} is not a valid qcow2 disk image" in message, fault
    cloud.ok("server", "delete", "--wait", BAD)
