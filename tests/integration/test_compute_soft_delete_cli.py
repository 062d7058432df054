"""Soft delete through the real `openstack` CLI: a server of the module's own started with
`--reclaim-instance-interval 3600` (Nova's `reclaim_instance_interval`), so `server delete` leaves a
server SOFT_DELETED and powered off, `server restore` brings it back, and `server delete --force`
removes it at once. Status changes are polled against a deadline.
"""

from __future__ import annotations

import secrets

import pytest

RUN = secrets.token_hex(3)
# Read by conftest's `module_server` for this module's server.
STRATUS_SERVER_ARGS = ("--reclaim-instance-interval", "3600")

IMAGE = f"stratus-soft-image-{RUN}"
SERVER = f"stratus-soft-vm-{RUN}"
DEADLINE = 30.0


@pytest.fixture(scope="module")
def cloud(module_cloud):
    return module_cloud


def test_delete_is_soft_until_forced(cloud, tmp_path):
    path = tmp_path / "disk.raw"
    path.write_bytes(b"\0" * 65536)
    cloud.ok("image", "create", "--file", str(path), "--disk-format", "raw", "--container-format", "bare", IMAGE)
    server = cloud.json("server", "create", "--flavor", "m1.tiny", "--image", IMAGE, "--nic", "none", "--wait", SERVER)
    assert server.get("status") == "ACTIVE", server

    cloud.ok("server", "delete", SERVER)
    soft = cloud.wait_shown(["server"], SERVER, "SOFT_DELETED", DEADLINE)
    assert soft.get("OS-EXT-STS:power_state") in (4, "Shutdown"), soft

    cloud.ok("server", "restore", SERVER)
    restored = cloud.wait_shown(["server"], SERVER, "ACTIVE", DEADLINE)
    assert restored.get("OS-EXT-STS:power_state") in (1, "Running"), restored

    cloud.ok("server", "delete", SERVER)
    cloud.wait_for("server", SERVER, "SOFT_DELETED", DEADLINE)
    cloud.ok("server", "delete", "--force", "--wait", SERVER)
    assert cloud.json("server", "list") == []
    result = cloud.fails("server", "show", server["id"])
    assert "No Server found" in result.stderr or "404" in result.stderr, result.stderr
