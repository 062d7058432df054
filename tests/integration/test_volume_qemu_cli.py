"""Volumes on the QEMU driver's file backend: qcow2 files in DATA-DIR/volumes made by qemu-img, through the
real `openstack` CLI against `stratus all-in-one --driver qemu` (no guest is booted).

QEMU is a test dependency (scripts/install-test-deps.sh): a missing tool is a failure, not a skip.
"""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
import time

import pytest

RUN = secrets.token_hex(3)
STRATUS_SERVER_ARGS = ("--driver", "qemu", "--compute-host", "qemu-volume-host")
DEADLINE = 60.0


@pytest.fixture(scope="module")
def cloud(module_cloud):
    missing = [tool for tool in ("qemu-system-x86_64", "qemu-img") if shutil.which(tool) is None]
    assert not missing, f"missing {', '.join(missing)} (scripts/install-test-deps.sh installs them)"
    return module_cloud


def _virtual_size(path) -> int:
    info = subprocess.run(["qemu-img", "info", "-U", "--output=json", str(path)], capture_output=True, text=True, check=True)
    data = json.loads(info.stdout)
    assert data["format"] == "qcow2", data
    return data["virtual-size"]


def test_volume_files_follow_the_volume(cloud, tmp_path):
    volumes = cloud.data_dir / "volumes"
    blank = cloud.json("volume", "create", "--size", "1", f"blank-{RUN}")
    cloud.wait_shown(["volume"], f"blank-{RUN}", "available", DEADLINE)
    path = volumes / f"volume-{blank['id']}.qcow2"
    assert _virtual_size(path) == 1 << 30

    cloud.ok("volume", "set", "--size", "2", f"blank-{RUN}")
    cloud.wait_shown(["volume"], f"blank-{RUN}", "available", DEADLINE)
    assert _virtual_size(path) == 2 << 30

    data = tmp_path / "disk.raw"
    data.write_bytes(b"stratus" * 10000)
    cloud.ok("image", "create", "--file", str(data), "--disk-format", "raw", "--container-format", "bare", f"img-{RUN}")
    from_image = cloud.json("volume", "create", "--image", f"img-{RUN}", "--size", "1", f"from-image-{RUN}")
    cloud.wait_shown(["volume"], f"from-image-{RUN}", "available", DEADLINE)
    image_path = volumes / f"volume-{from_image['id']}.qcow2"
    assert _virtual_size(image_path) == 1 << 30
    # Copy-on-write: an overlay on the image's base, through the volume's own link to it.
    info = json.loads(subprocess.run(["qemu-img", "info", "-U", "--output=json", str(image_path)], capture_output=True, text=True, check=True).stdout)
    assert info.get("backing-filename") == f"volume-{from_image['id']}.base.qcow2", info
    image_id = cloud.json("image", "show", f"img-{RUN}")["id"]
    assert (volumes / f"base-{image_id}.qcow2").exists()
    raw = subprocess.run(
        ["qemu-img", "convert", "-U", "-O", "raw", str(image_path), str(tmp_path / "out.raw")], capture_output=True, text=True
    )
    assert raw.returncode == 0, raw.stderr
    assert (tmp_path / "out.raw").read_bytes()[: len(b"stratus" * 10000)] == b"stratus" * 10000

    snapshot = cloud.json("volume", "snapshot", "create", "--volume", f"blank-{RUN}", f"snap-{RUN}")
    cloud.wait_shown(["volume", "snapshot"], f"snap-{RUN}", "available", DEADLINE)
    assert (volumes / f"snapshot-{snapshot['id']}.qcow2").exists()
    restored = cloud.json("volume", "create", "--snapshot", f"snap-{RUN}", f"restored-{RUN}")
    cloud.wait_shown(["volume"], f"restored-{RUN}", "available", DEADLINE)
    assert _virtual_size(volumes / f"volume-{restored['id']}.qcow2") == 2 << 30

    cloud.ok("volume", "delete", f"restored-{RUN}", f"from-image-{RUN}")
    # The volume's file goes first, then the image's base once no volume is made on it any more.
    deadline = time.monotonic() + DEADLINE
    while image_path.exists() or (volumes / f"volume-{restored['id']}.qcow2").exists():
        assert time.monotonic() < deadline, "volume files were not removed"
        time.sleep(0.2)
    while list(volumes.glob("base-*")) or list(volumes.glob("*.base.qcow2")):
        assert time.monotonic() < deadline, "the base did not go with its last volume"
        time.sleep(0.2)
    assert not list(volumes.glob(".*")), list(volumes.glob(".*"))
