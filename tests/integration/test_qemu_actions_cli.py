"""Actions on a real guest (`stratus all-in-one --driver qemu`, TCG) with the real `openstack` CLI: hard reboot,
pause/unpause, a snapshot booted as a server of its own, and a delete that leaves no QEMU process, socket or file."""

from __future__ import annotations

import secrets

import pytest

from qemu_guests import BOOT_DEADLINE, build_guest_image, kill_guests, qemu_pid, running, wait_console

RUN = secrets.token_hex(3)
STRATUS_SERVER_ARGS = ("--driver", "qemu", "--compute-host", "qemu-actions-host", "--shutdown-timeout", "30")
BANNER = "STRATUS TEST GUEST "
READY = "STRATUS TEST GUEST READY"


@pytest.fixture(scope="module")
def cloud(module_cloud):
    yield module_cloud
    kill_guests(module_cloud.data_dir)


def test_reboot_pause_snapshot_and_boot_the_snapshot(cloud):
    image, flavor, name, copy = f"actions-guest-{RUN}", f"actions-flavor-{RUN}", f"actions-server-{RUN}", f"actions-copy-{RUN}"
    snapshot = f"actions-snapshot-{RUN}"
    cloud.ok("flavor", "create", "--ram", "128", "--vcpus", "1", "--disk", "1", flavor)
    cloud.ok("image", "create", "--file", build_guest_image(), "--disk-format", "qcow2", "--container-format", "bare", image)
    server_id = cloud.json("server", "create", "--flavor", flavor, "--image", image, "--nic", "none", "--wait", name)["id"]
    wait_console(cloud, name, READY, server_id)
    pid = qemu_pid(cloud.data_dir, server_id)

    # A hard reboot resets the machine inside the same QEMU: a second boot on the console.
    cloud.ok("server", "reboot", "--hard", "--wait", name)
    cloud.wait_for("server", name, "ACTIVE", BOOT_DEADLINE)
    wait_console(cloud, name, READY, count=2)
    assert qemu_pid(cloud.data_dir, server_id) == pid, "a hard reboot started a new QEMU"

    cloud.ok("server", "pause", name)
    assert cloud.wait_shown(["server"], name, "PAUSED", 60.0)["OS-EXT-STS:power_state"] in (3, "Paused")
    cloud.ok("server", "unpause", name)
    cloud.wait_for("server", name, "ACTIVE", 60.0)

    # The snapshot is a bootable image: a server booted from it comes up as the test guest.
    cloud.ok("server", "image", "create", "--name", snapshot, "--wait", name)
    shown = cloud.json("image", "show", snapshot)
    assert shown["status"] == "active" and shown["disk_format"] == "qcow2", shown
    copy_id = cloud.json("server", "create", "--flavor", flavor, "--image", snapshot, "--nic", "none", "--wait", copy)["id"]
    log = wait_console(cloud, copy, READY, copy_id)
    assert f"smbios uuid {copy_id}" in log, log[-3000:]

    for ref, ident in ((name, server_id), (copy, copy_id)):
        guest_pid = qemu_pid(cloud.data_dir, ident)
        cloud.ok("server", "delete", "--wait", ref)
        instance_dir = cloud.data_dir / "instances" / ident
        assert not instance_dir.exists(), f"{instance_dir} left behind"
        assert guest_pid is not None and not running(guest_pid), f"QEMU {guest_pid} still runs"
