"""Volumes on real guests (`stratus all-in-one --driver qemu`, TCG) with the real `openstack` CLI: a volume is
attached to one server, whose guest (test guest version 5) writes its uuid on it, detached, attached to a second
server, whose guest reads that uuid back; then detached and deleted. And servers whose root disk is a volume:
`server create --boot-from-volume` makes one from the image, which outlives the server and boots the next one
(`server create --volume`)."""

from __future__ import annotations

import secrets

import pytest

from qemu_guests import build_guest_image, kill_guests, wait_console

RUN = secrets.token_hex(3)
READY = "STRATUS TEST GUEST READY"
DISKS = "STRATUS TEST GUEST: disks "
STRATUS_SERVER_ARGS = ("--driver", "qemu", "--compute-host", "qemu-volumes-host", "--shutdown-timeout", "30")


@pytest.fixture(scope="module")
def cloud(module_cloud):
    yield module_cloud
    kill_guests(module_cloud.data_dir)


def last_disks(log: str) -> str:
    return log.rsplit(DISKS, 1)[-1].splitlines()[0].strip()


def test_a_volume_carries_data_from_one_server_to_another(cloud):
    image, flavor, volume = f"volumes-guest-{RUN}", f"volumes-flavor-{RUN}", f"volumes-volume-{RUN}"
    first, second = f"volumes-first-{RUN}", f"volumes-second-{RUN}"
    cloud.ok("flavor", "create", "--ram", "128", "--vcpus", "1", "--disk", "1", flavor)
    cloud.ok("image", "create", "--file", build_guest_image(), "--disk-format", "qcow2", "--container-format", "bare", image)
    ids = {}
    for name in (first, second):
        ids[name] = cloud.json("server", "create", "--flavor", flavor, "--image", image, "--nic", "none", "--wait", name)["id"]
    for name in (first, second):
        wait_console(cloud, name, READY, DISKS)
    cloud.ok("volume", "create", "--size", "1", volume)
    cloud.wait_for("volume", volume, "available", 60.0)

    cloud.ok("server", "add", "volume", first, volume)
    cloud.wait_for("volume", volume, "in-use", 60.0)
    log = wait_console(cloud, first, f"vdb wrote STRATUS-DATA {ids[first]}")
    assert f"{DISKS}vda vdb" in log, log[-3000:]
    attached = cloud.json("server", "show", first)["volumes_attached"]
    assert [entry["id"] for entry in attached] == [cloud.json("volume", "show", volume)["id"]], attached

    cloud.ok("server", "remove", "volume", first, volume)
    cloud.wait_for("volume", volume, "available", 60.0)
    log = wait_console(cloud, first, DISKS, count=3)
    assert last_disks(log) == "vda", log[-3000:]

    cloud.ok("server", "add", "volume", second, volume)
    cloud.wait_for("volume", volume, "in-use", 60.0)
    wait_console(cloud, second, f"vdb holds STRATUS-DATA {ids[first]}")
    cloud.ok("server", "remove", "volume", second, volume)
    cloud.wait_for("volume", volume, "available", 60.0)

    cloud.ok("volume", "delete", volume)
    for name in (first, second):
        cloud.ok("server", "delete", "--wait", name)


def test_a_server_boots_from_a_volume_that_outlives_it(cloud):
    image, flavor = f"bfv-guest-{RUN}", f"bfv-flavor-{RUN}"
    first, second = f"bfv-first-{RUN}", f"bfv-second-{RUN}"
    cloud.ok("flavor", "create", "--ram", "128", "--vcpus", "1", "--disk", "1", flavor)
    cloud.ok("image", "create", "--file", build_guest_image(), "--disk-format", "qcow2", "--container-format", "bare", image)

    # The root volume is made from the image on the host; the guest boots from it and leaves it alone.
    server = cloud.json("server", "create", "--flavor", flavor, "--image", image, "--boot-from-volume", "1", "--nic", "none", "--wait", first)
    log = wait_console(cloud, first, READY, "vda holds other data")
    assert last_disks(log) == "vda", log[-3000:]
    shown = cloud.json("server", "show", first)
    assert shown["image"] == "N/A (booted from volume)", shown
    attached = shown["volumes_attached"]
    assert len(attached) == 1, shown
    volume_id = attached[0]["id"]
    volume = cloud.json("volume", "show", volume_id)
    assert volume["status"] == "in-use" and volume["size"] == 1 and str(volume["bootable"]).lower() == "true", volume
    assert [a["server_id"] for a in volume["attachments"]] == [server["id"]], volume
    assert not (cloud.data_dir / "instances" / server["id"] / "disk").exists(), "the root disk is the volume's file"
    # The root volume stays with its server while it lives.
    refused = cloud.fails("server", "remove", "volume", first, volume_id)
    assert "root device" in refused.stderr, refused.describe()

    # delete_on_termination was not asked for: the volume survives its server.
    cloud.ok("server", "delete", "--wait", first)
    cloud.wait_for("volume", volume_id, "available", 60.0)

    # ... and boots the next one, which finds the same disk.
    cloud.ok("volume", "set", "--name", f"bfv-root-{RUN}", volume_id)
    cloud.ok("server", "create", "--flavor", flavor, "--volume", f"bfv-root-{RUN}", "--nic", "none", "--wait", second)
    wait_console(cloud, second, READY, "vda holds other data")
    assert [a["id"] for a in cloud.json("server", "show", second)["volumes_attached"]] == [volume_id]
    cloud.wait_for("volume", volume_id, "in-use", 60.0)
    cloud.ok("server", "delete", "--wait", second)
    cloud.wait_for("volume", volume_id, "available", 60.0)
    cloud.ok("volume", "delete", volume_id)
