"""Restart safety with real guests: `stratus all-in-one --driver qemu` killed with SIGKILL and started again on
the same data directory, driven by the real `openstack` CLI. Guests are not children of Stratus: they run on
while it is down, and the next start takes them back (a guest that died meanwhile makes its server SHUTOFF;
an operation cut off by the kill is finished, and an attach cut off by it is undone)."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess

import pytest

from qemu_guests import BOOT_DEADLINE, boot_test_guest, kill_guests, qemu_pid, wait_console, wait_exit

RUN = secrets.token_hex(3)
STRATUS_SERVER_ARGS = ("--driver", "qemu", "--compute-host", "qemu-restart-host", "--shutdown-timeout", "30")
READY = "STRATUS TEST GUEST READY"


@pytest.fixture(scope="module")
def cloud(module_cloud):
    yield module_cloud
    kill_guests(module_cloud.data_dir)


def _restart(cloud) -> None:
    """SIGKILL, as a crash or an OOM kill would, then a start on the same data directory."""
    cloud.server.kill()
    cloud.server.start()


def test_guests_run_on_while_stratus_is_down_and_are_taken_back(cloud):
    name, server_id = boot_test_guest(cloud, "restart", RUN)
    pid = qemu_pid(cloud.data_dir, server_id)
    assert pid is not None, "the guest's QEMU does not run"

    # The guest runs on while Stratus is down, and is the same process (not restarted) after the start.
    _restart(cloud)
    assert qemu_pid(cloud.data_dir, server_id) == pid, "the guest's QEMU did not survive the kill of stratus"
    shown = cloud.json("server", "show", name)
    assert shown["status"] == "ACTIVE" and shown["OS-EXT-STS:task_state"] is None, shown
    assert shown["OS-EXT-STS:power_state"] in (1, "Running"), shown
    assert cloud.ok("console", "log", "show", name).stdout.count(READY) == 1, "the guest booted again"

    # A guest that dies while Stratus is down makes its server SHUTOFF at the next start; it starts again.
    cloud.server.kill()
    os.kill(pid, signal.SIGKILL)
    wait_exit(pid)
    cloud.server.start()
    cloud.wait_for("server", name, "SHUTOFF", 60.0)
    cloud.ok("server", "start", name)
    cloud.wait_for("server", name, "ACTIVE", BOOT_DEADLINE)
    wait_console(cloud, name, READY, count=2)

    # A stop cut off by the kill (the API answered, the guest may be powering off) is finished by the next start.
    cloud.ok("server", "stop", name)
    _restart(cloud)
    shown = cloud.wait_shown(["server"], name, "SHUTOFF", 60.0)
    assert shown["OS-EXT-STS:task_state"] is None, shown
    assert qemu_pid(cloud.data_dir, server_id) is None, "a SHUTOFF server's QEMU still runs"

    cloud.ok("server", "delete", "--wait", name)
    assert not (cloud.data_dir / "instances" / server_id).exists()


def test_an_attach_cut_off_by_a_crash_is_cleaned_up_at_the_next_start(cloud):
    """The host connected the volume (Cinder's attachment is `attaching`) and waits for the guest's QEMU, which is
    stopped (SIGSTOP), when Stratus is killed: the next start deletes the attachment, so the volume is `available`
    again, and the server can attach it for real."""
    name, server_id = boot_test_guest(cloud, "midattach", RUN)
    pid = qemu_pid(cloud.data_dir, server_id)
    assert pid is not None, "the guest's QEMU does not run"
    volume = f"midattach-volume-{RUN}"
    volume_id = cloud.json("volume", "create", "--size", "1", volume)["id"]
    cloud.wait_for("volume", volume_id, "available", 60.0)

    os.kill(pid, signal.SIGSTOP)
    try:
        attach = subprocess.Popen(
            [str(cloud.cli.script), "server", "add", "volume", name, volume], env=cloud.openrc_env(),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        cloud.wait_for("volume", volume_id, "attaching", 30.0)
        cloud.server.kill()
    finally:
        os.kill(pid, signal.SIGCONT)
    attach.wait(timeout=60)
    assert attach.returncode != 0, "the attach cut off by the kill cannot have succeeded"

    cloud.server.start()
    shown = cloud.wait_shown(["volume"], volume, "available", 60.0)
    assert shown["attachments"] == [], shown
    assert cloud.json("server", "show", name)["volumes_attached"] == []

    cloud.ok("server", "add", "volume", name, volume)
    wait_console(cloud, name, f"vdb wrote STRATUS-DATA {server_id}")
    cloud.ok("server", "remove", "volume", name, volume)
    cloud.wait_for("volume", volume_id, "available", 60.0)
    cloud.ok("volume", "delete", volume)
    cloud.ok("server", "delete", "--wait", name)
