"""A compute host joins an all-in-one cloud (DevStack's controller plus a subnode): `stratus compute` with no database,
pointed at the all-in-one's URL with a service user's credentials file, becomes a hypervisor the CLI boots on."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from conftest import Cloud, clean_environ


def test_a_compute_host_joins_an_all_in_one_cloud(module_cloud: Cloud, stratus_bin: Path, tmp_path: Path):
    base = module_cloud.server.base_url
    credentials = tmp_path / "subnode.json"
    made = subprocess.run(
        [str(stratus_bin), "compute-credentials", "create", "subnode", "--data-dir", str(module_cloud.data_dir),
         "--auth-url", f"{base}/identity/v3", "--output", str(credentials)],
        capture_output=True, text=True, timeout=60, env=clean_environ(),
    )
    assert made.returncode == 0, made.stderr
    subnode = subprocess.Popen(
        [str(stratus_bin), "compute", "--compute-host", "subnode", "--api-url", base, "--credentials", str(credentials),
         "--data-dir", str(tmp_path / "subnode"), "--driver", "fake"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=clean_environ(),
    )
    try:
        deadline = time.monotonic() + 60
        while ("subnode", "up") not in {(s["Host"], s["State"]) for s in module_cloud.json("compute", "service", "list")}:
            assert subnode.poll() is None and time.monotonic() < deadline, "the subnode did not join"
            time.sleep(0.5)
        image = tmp_path / "image.raw"
        image.write_bytes(b"\0" * 4096)
        module_cloud.ok("image", "create", "--disk-format", "raw", "--container-format", "bare", "--file", str(image), "subnode-img")
        shown = module_cloud.json("--os-compute-api-version", "2.74", "server", "create", "--flavor", "m1.tiny", "--image",
                                  "subnode-img", "--no-network", "--host", "subnode", "--wait", "on-subnode")
        assert shown["status"] == "ACTIVE" and shown["OS-EXT-SRV-ATTR:host"] == "subnode", shown
        module_cloud.ok("server", "delete", "--wait", "on-subnode")
    finally:
        subnode.terminate()
        subnode.wait(timeout=30)
