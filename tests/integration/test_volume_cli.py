"""Volumes (Cinder v3 at /volume) through the real `openstack` CLI against `stratus all-in-one`.

The module has a server of its own (`module_cloud` in conftest.py) with the fake driver, whose volume
backend keeps no data. The tests run in file order and share state through `cloud.state`; a test whose
prerequisite failed is skipped. Names carry a per-run suffix. Volume creation is asynchronous, as in
Cinder: the CLI returns while the volume is `creating`, and the tests poll `volume show` until it is
`available` (with a deadline).
"""

from __future__ import annotations

import secrets
import time

import pytest

from cli_checks import HTTP_400, need

RUN = secrets.token_hex(3)

VOL = f"vol-{RUN}"
RENAMED = f"vol-renamed-{RUN}"
SNAP = f"snap-{RUN}"
FROM_SNAP = f"vol-from-snap-{RUN}"
CLONE = f"vol-clone-{RUN}"
FROM_IMAGE = f"vol-from-image-{RUN}"
IMAGE = f"vol-image-{RUN}"
SERVER = f"vol-server-{RUN}"

DEADLINE = 30.0


@pytest.fixture(scope="module")
def cloud(module_cloud):
    """This module's own server (see the module docstring)."""
    return module_cloud


def _wait_gone(cloud, kind: list[str], name: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while cloud.run(*kind, "show", name).returncode == 0:
        assert time.monotonic() < deadline, f"{name} still exists"
        time.sleep(0.2)


def test_volume_type_list(cloud):
    types = cloud.json("volume", "type", "list")
    assert [t["Name"] for t in types] == ["__DEFAULT__"], types


def test_volume_create(cloud):
    created = cloud.json("volume", "create", "--size", "1", "--description", "first", VOL)
    assert created["name"] == VOL and created["size"] == 1, created
    shown = cloud.wait_shown(["volume"], VOL, "available", DEADLINE)
    assert shown["availability_zone"] == "nova" and shown["type"] == "__DEFAULT__", shown
    assert str(shown["bootable"]).lower() == "false", shown
    cloud.state["volume"] = shown["id"]


def test_volume_list(cloud):
    need(cloud, "volume")
    rows = {row["Name"]: row for row in cloud.json("volume", "list")}
    assert rows[VOL]["Status"] == "available" and rows[VOL]["Size"] == 1, rows
    long_rows = {row["Name"]: row for row in cloud.json("volume", "list", "--long")}
    assert long_rows[VOL]["Type"] == "__DEFAULT__", long_rows


def test_volume_set_name_and_property(cloud):
    need(cloud, "volume")
    cloud.ok("volume", "set", "--name", RENAMED, "--property", "tier=gold", "--description", "renamed", VOL)
    shown = cloud.json("volume", "show", RENAMED)
    assert shown["name"] == RENAMED and shown["description"] == "renamed", shown
    assert shown["properties"] == {"tier": "gold"}, shown
    cloud.ok("volume", "unset", "--property", "tier", RENAMED)
    assert cloud.json("volume", "show", RENAMED)["properties"] == {}
    cloud.state["renamed"] = True


def test_volume_extend(cloud):
    need(cloud, "renamed")
    cloud.ok("volume", "set", "--size", "2", RENAMED)
    assert cloud.wait_shown(["volume"], RENAMED, "available", DEADLINE)["size"] == 2
    # Not larger than now: refused (the CLI checks this before asking; the server's 400 is in the API tests).
    r = cloud.fails("volume", "set", "--size", "1", RENAMED)
    assert "size" in (r.stderr + r.stdout).lower(), r.describe()


def test_volume_snapshot_create(cloud):
    need(cloud, "renamed")
    created = cloud.json("volume", "snapshot", "create", "--volume", RENAMED, SNAP)
    assert created["name"] == SNAP, created
    shown = cloud.wait_shown(["volume", "snapshot"], SNAP, "available", DEADLINE)
    assert shown["size"] == 2 and shown["volume_id"] == cloud.state["volume"], shown
    cloud.state["snapshot"] = shown["id"]


def test_volume_create_from_snapshot(cloud):
    need(cloud, "snapshot")
    cloud.ok("volume", "create", "--snapshot", SNAP, FROM_SNAP)
    shown = cloud.wait_shown(["volume"], FROM_SNAP, "available", DEADLINE)
    assert shown["snapshot_id"] == cloud.state["snapshot"] and shown["size"] == 2, shown


def test_volume_create_from_volume(cloud):
    need(cloud, "renamed")
    cloud.ok("volume", "create", "--source", RENAMED, "--size", "3", CLONE)
    shown = cloud.wait_shown(["volume"], CLONE, "available", DEADLINE)
    assert shown["source_volid"] == cloud.state["volume"] and shown["size"] == 3, shown


def test_volume_create_from_image(cloud, tmp_path):
    data = tmp_path / "disk.raw"
    data.write_bytes(b"\0" * 65536)
    cloud.ok("image", "create", "--file", str(data), "--disk-format", "raw", "--container-format", "bare", IMAGE)
    cloud.ok("volume", "create", "--image", IMAGE, "--size", "1", FROM_IMAGE)
    shown = cloud.wait_shown(["volume"], FROM_IMAGE, "available", DEADLINE)
    assert str(shown["bootable"]).lower() == "true", shown
    assert shown["volume_image_metadata"]["image_name"] == IMAGE, shown


def test_delete_in_use_volume_is_refused(cloud):
    need(cloud, "renamed")
    cloud.ok("volume", "set", "--state", "in-use", RENAMED)
    r = cloud.fails("volume", "delete", RENAMED)
    assert HTTP_400.search(r.stderr) or "Invalid volume" in r.stderr, r.describe()
    assert "Volume status must be available or error" in r.stderr, r.describe()
    cloud.ok("volume", "set", "--state", "available", RENAMED)


def test_volume_attachment_to_a_server(cloud, tmp_path):
    need(cloud, "volume")
    data = tmp_path / "boot.raw"
    data.write_bytes(b"\0" * 4096)
    cloud.ok("image", "create", "--file", str(data), "--disk-format", "raw", "--container-format", "bare", f"boot-{RUN}")
    server = cloud.json("server", "create", "--flavor", "m1.tiny", "--image", f"boot-{RUN}", "--nic", "none", "--wait", SERVER)
    volume_cli = ("--os-volume-api-version", "3.44", "volume", "attachment")
    attachment = cloud.json(*volume_cli, "create", "--server", SERVER, RENAMED)
    assert attachment["Status"] == "reserved" and attachment["Instance ID"] == server["id"], attachment
    assert cloud.json("volume", "show", RENAMED)["status"] == "reserved"
    connected = cloud.json(*volume_cli, "set", "--host", "fake-0", "--mountpoint", "/dev/vdb", attachment["ID"])
    assert connected["Status"] == "attaching", connected
    assert connected["Properties"]["driver_volume_type"] == "file", connected
    cloud.ok(*volume_cli, "complete", attachment["ID"])
    shown = cloud.json("volume", "show", RENAMED)
    assert shown["status"] == "in-use", shown
    assert shown["attachments"][0]["server_id"] == server["id"] and shown["attachments"][0]["device"] == "/dev/vdb", shown
    r = cloud.fails("volume", "delete", RENAMED)
    assert "Volume status must be available or error" in r.stderr, r.describe()
    cloud.ok(*volume_cli, "delete", attachment["ID"])
    assert cloud.json("volume", "show", RENAMED)["status"] == "available"
    cloud.ok("server", "delete", "--wait", SERVER)


def test_quota_show_has_volume_fields(cloud):
    limits = {row["Resource"]: row["Limit"] for row in cloud.json("quota", "show", "--volume")}
    assert limits["volumes"] == 10 and limits["gigabytes"] == 1000 and limits["snapshots"] == 10, limits
    assert limits["per-volume-gigabytes"] == -1, limits
    # Without a service option: compute, volume and network (whose quotas are unlimited) together.
    everything = {row["Resource"]: row["Limit"] for row in cloud.json("quota", "show")}
    assert everything["instances"] == 10 and everything["volumes"] == 10, everything
    assert everything["networks"] == -1 and everything["ports"] == -1, everything
    usage = {row["Resource"]: row for row in cloud.json("quota", "show", "--usage", "--network")}
    assert usage["networks"]["Limit"] == -1 and usage["networks"]["In Use"] >= 0, usage


def test_volume_delete(cloud):
    need(cloud, "snapshot")
    cloud.ok("volume", "snapshot", "delete", SNAP)
    _wait_gone(cloud, ["volume", "snapshot"], SNAP)
    cloud.ok("volume", "delete", RENAMED, FROM_SNAP, CLONE)
    for name in (RENAMED, FROM_SNAP, CLONE):
        _wait_gone(cloud, ["volume"], name)
    names = {row["Name"] for row in cloud.json("volume", "list")}
    assert not names & {RENAMED, FROM_SNAP, CLONE}, names
