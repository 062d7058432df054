"""Real guests: `stratus all-in-one --driver qemu` (TCG) driven by the real `openstack` CLI.

The module has a server of its own, started with `--driver qemu` (`STRATUS_SERVER_ARGS`). It uploads the
test guest built by scripts/build-test-image.sh, boots it on a network with a config drive, reads its boot
banner, its own id (the guest prints its SMBIOS uuid, which QEMU is given as the instance's, and the uuid and
hostname on its config drive) and the address its DHCP got (the port's fixed IP) from `openstack console log
show`, checks that admins (only) see its SSH forward, stops and starts it, and deletes it; a second guest,
without a config drive, finds its metadata at http://169.254.169.254/. QEMU must be installed (scripts/install-test-deps.sh): a missing tool is a
failure, not a skip. Waiting polls against deadlines; TCG boots on a busy 2-core machine take tens of seconds.
"""

from __future__ import annotations

import json
import secrets
import urllib.request

import pytest

from qemu_guests import BOOT_DEADLINE, build_guest_image, kill_guests, wait_console

RUN = secrets.token_hex(3)
STRATUS_SERVER_ARGS = ("--driver", "qemu", "--compute-host", "qemu-cli-host", "--shutdown-timeout", "30")

IMAGE = f"stratus-test-guest-{RUN}"
NOT_A_DISK = f"stratus-not-a-disk-{RUN}"
FLAVOR = f"stratus-guest-flavor-{RUN}"
SERVER = f"stratus-guest-{RUN}"
META_SERVER = f"stratus-meta-guest-{RUN}"
NETWORK = f"stratus-guest-net-{RUN}"
MEMBER = f"stratus-guest-member-{RUN}"
# A prefix: a random password may start with "-", which the CLI would take for an option.
MEMBER_PASSWORD = "pw-" + secrets.token_urlsafe(12)
BAD = f"stratus-bad-guest-{RUN}"


@pytest.fixture(scope="module")
def cloud(module_cloud):
    yield module_cloud
    kill_guests(module_cloud.data_dir)


@pytest.fixture(scope="module")
def test_image() -> str:
    return build_guest_image()


def _power_state(cloud, ref: str) -> str:
    return cloud.ok("server", "show", "-f", "value", "-c", "OS-EXT-STS:power_state", ref).stdout.strip()


def _server_record(cloud, server_id: str, os_env: dict[str, str] | None = None) -> dict:
    """GET /servers/ID as the compute API answers it: openstacksdk drops fields it does not know, Stratus's own too."""
    token = cloud.ok("token", "issue", "-f", "value", "-c", "id", os_env=os_env).stdout.strip()
    request = urllib.request.Request(
        f"{cloud.server.base_url}/compute/v2.1/servers/{server_id}", headers={"X-Auth-Token": token}
    )
    with urllib.request.urlopen(request, timeout=30) as reply:
        return json.load(reply)["server"]


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
    cloud.ok("network", "create", NETWORK)
    cloud.ok("subnet", "create", "--network", NETWORK, "--subnet-range", "192.168.77.0/24", f"{NETWORK}-subnet")
    server = cloud.json(
        "server", "create", "--flavor", FLAVOR, "--image", IMAGE, "--network", NETWORK, "--config-drive", "True", "--wait", SERVER
    )
    assert server["status"] == "ACTIVE", server
    server_id = server["id"]
    ports = cloud.json("port", "list", "--server", server_id)
    assert len(ports) == 1, ports
    fixed_ip = ports[0]["Fixed IP Addresses"][0]["ip_address"]
    wait_console(cloud, SERVER, "STRATUS TEST GUEST READY", server_id)
    log = cloud.ok("console", "log", "show", SERVER).stdout  # the README's command
    assert f"smbios uuid {server_id}" in log, log[-3000:]
    # The config drive, and the port's own address from the guest's DHCP.
    assert f"instance-uuid: {server_id}" in log and "hostname: " in log, log[-3000:]
    assert f"STRATUS TEST GUEST: net eth0 {fixed_ip}/24" in log, log[-3000:]
    instance_dir = cloud.data_dir / "instances" / server_id
    assert (instance_dir / "disk.qcow2").is_file() and (instance_dir / "console.log").is_file()
    assert (instance_dir / "config.iso").is_file()

    # Admins see where the guest's SSH is forwarded; a member of the project does not.
    forward = _server_record(cloud, server_id).get("stratus:ssh_forward", "")
    assert forward.startswith("127.0.0.1:") and int(forward.split(":")[1]) > 0, forward
    cloud.ok("user", "create", "--password", MEMBER_PASSWORD, MEMBER)
    cloud.ok("role", "add", "--user", MEMBER, "--project", "admin", "member")
    shown = _server_record(cloud, server_id, os_env=cloud.user_env(MEMBER, MEMBER_PASSWORD, "admin"))
    assert shown["id"] == server_id and "stratus:ssh_forward" not in shown, shown

    # Suspend saves the guest's RAM and devices to a file and ends its QEMU; resume restores the same guest.
    cloud.ok("server", "suspend", SERVER)
    cloud.wait_for("server", SERVER, "SUSPENDED", 60.0)
    assert _power_state(cloud, SERVER) in ("7", "Suspended")
    assert (instance_dir / "state.save").is_file() and not (instance_dir / "pid").exists()
    cloud.ok("server", "resume", SERVER)
    cloud.wait_for("server", SERVER, "ACTIVE", 60.0)
    assert _power_state(cloud, SERVER) in ("1", "Running")
    assert not (instance_dir / "state.save").exists()

    # The guest (the resumed one, still running) powers off on the ACPI button, within --shutdown-timeout (30 s; after
    # it QEMU would be quit).
    cloud.ok("server", "stop", SERVER)
    cloud.wait_for("server", SERVER, "SHUTOFF", 25.0)
    cloud.ok("server", "start", SERVER)
    cloud.wait_for("server", SERVER, "ACTIVE", BOOT_DEADLINE)
    assert _power_state(cloud, SERVER) in ("1", "Running")
    # The second boot appends to the same console log, and reads the same config drive.
    log = wait_console(cloud, SERVER, f"instance-uuid: {server_id}", count=2)
    # Two boots in all: the resume continued the first one.
    assert log.count("STRATUS TEST GUEST 5") == 2, log[-3000:]

    cloud.ok("server", "delete", "--wait", SERVER)
    assert not instance_dir.exists(), f"{instance_dir} left behind: {list(instance_dir.iterdir())}"


def test_metadata_service_from_inside_the_guest(cloud, test_image):
    # No port and no config drive: the guest's one NIC is the metadata service's link.
    server = cloud.json("server", "create", "--flavor", FLAVOR, "--image", IMAGE, "--nic", "none", "--wait", META_SERVER)
    assert server["status"] == "ACTIVE", server
    log = wait_console(cloud, META_SERVER, "STRATUS TEST GUEST READY")
    assert "STRATUS TEST GUEST: metadata service" in log, log[-3000:]
    assert f"instance-uuid: {server['id']}" in log, log[-3000:]
    cloud.ok("server", "delete", "--wait", META_SERVER)


def test_not_a_disk_image_fails_with_a_clear_fault(cloud, tmp_path):
    text = tmp_path / "not-a-disk.qcow2"
    text.write_text("this is a text file, not a disk image\n")
    cloud.ok("image", "create", "--file", str(text), "--disk-format", "qcow2", "--container-format", "bare", NOT_A_DISK)
    image_id = cloud.ok("image", "show", "-f", "value", "-c", "id", NOT_A_DISK).stdout.strip()
    cloud.ok("server", "create", "--flavor", "m1.tiny", "--image", NOT_A_DISK, "--nic", "none", BAD)
    fault = cloud.wait_shown(["server"], BAD, "ERROR", 60.0)["fault"]
    message = fault["message"] if isinstance(fault, dict) else str(fault)
    assert f"Image {image_id} is not a valid qcow2 disk image" in message, fault
    cloud.ok("server", "delete", "--wait", BAD)
