"""Compute (Nova v2.1 at /compute) through the real `openstack` CLI against `stratus all-in-one`.

The module has a server of its own, started with `--fake-hosts 3` (the fake hypervisor driver with
three simulated compute hosts fake-0, fake-1, fake-2; `STRATUS_SERVER_ARGS`), so it neither sees the
other modules' projects, images and servers nor is restarted by them. The tests run in file order and
share state through `cloud.state`; a test whose prerequisite failed is skipped. Names carry a per-run
suffix.

Waiting for a server's status polls `server show` against a deadline; nothing sleeps blindly. Where
the CLI turns a 404 into its own "No <Resource> found for <id>", the server's request log is read to
tell which status the GET by id got.
"""

from __future__ import annotations

import re
import secrets
import shutil
import subprocess
import time

import pytest

from cli_checks import HTTP_400, HTTP_403, HTTP_404, HTTP_409, HTTP_500, fails_not_found, log_mark, logged_statuses, need

RUN = secrets.token_hex(3)

FAKE_HOSTS = ("fake-0", "fake-1", "fake-2")
# Read by conftest's `module_server` for this module's server.
STRATUS_SERVER_ARGS = ("--fake-hosts", str(len(FAKE_HOSTS)))

FLAVOR = f"stratus-flavor-{RUN}"
IMAGE = f"stratus-cirros-{RUN}"
IMAGE_BIG_DISK = f"stratus-big-disk-{RUN}"
KEY = f"stratus-key-{RUN}"
SERVER = f"stratus-vm-{RUN}"
MULTI = f"stratus-multi-{RUN}"
SNAPSHOT = f"stratus-snap-{RUN}"
GROUP = f"stratus-apart-{RUN}"
QUOTA_SERVER = f"stratus-quota-{RUN}"
BAD = f"stratus-bad-{RUN}"

MEMBER_PROJECT = f"demo-compute-{RUN}"
MEMBER_USER = f"demo-compute-user-{RUN}"
MEMBER_PASSWORD = "demo-Cmp-Pw-3141"

# Nova's default flavors (id, name, RAM MB, vCPUs, disk GB).
DEFAULT_FLAVORS = [
    ("1", "m1.tiny", 512, 1, 1),
    ("2", "m1.small", 2048, 1, 20),
    ("3", "m1.medium", 4096, 2, 40),
    ("4", "m1.large", 8192, 4, 80),
    ("5", "m1.xlarge", 16384, 8, 160),
]

AUTO_NET = "auto_allocated_network"
AUTO_ADDRESS = re.compile(r"^10\.0\.\d{1,3}\.\d{1,3}$")
MD5_FINGERPRINT = re.compile(r"^([0-9a-f]{2}:){15}[0-9a-f]{2}$")

WAIT_DEADLINE = 30.0
WAIT_INTERVAL = 0.5


@pytest.fixture(scope="module")
def cloud(module_cloud):
    """This module's own server (see the module docstring)."""
    return module_cloud


def _member_env(cloud) -> dict[str, str]:
    return cloud.user_env(MEMBER_USER, MEMBER_PASSWORD, MEMBER_PROJECT)


# --- helpers over the CLI -----------------------------------------------------------------------


def _server_status(cloud, ref: str) -> str:
    return cloud.ok("server", "show", "-f", "value", "-c", "status", ref).stdout.strip()


def _addresses(server: dict) -> dict[str, list[str]]:
    """`addresses` of `server show/create -f json` (or `Networks` of `server list`) as {network: [ip]};
    older CLIs print it as a "net=ip, ip" string."""
    value = server.get("addresses", server.get("Networks"))
    if isinstance(value, dict):
        return {net: list(ips) for net, ips in value.items()}
    if isinstance(value, str):
        out: dict[str, list[str]] = {}
        for part in filter(None, (p.strip() for p in value.split(";"))):
            net, _, ips = part.partition("=")
            out[net] = [ip.strip() for ip in ips.split(",") if ip.strip()]
        return out
    pytest.fail(f"no addresses in {server}")


def _flavor_name(server: dict) -> str | None:
    """The flavor's name in `server show -f json`: a dict (microversion 2.47+) or "name (id)"."""
    flavor = server.get("flavor")
    if isinstance(flavor, dict):
        return flavor.get("original_name") or flavor.get("name")
    if isinstance(flavor, str):
        return flavor.split(" (", 1)[0]
    return None


def _servers_by_name(cloud, *args: str, **kw) -> dict[str, dict]:
    rows = cloud.json("server", "list", *args, **kw)
    return {row["Name"]: row for row in rows}


# --- flavors ------------------------------------------------------------------------------------


def test_default_flavors(cloud):
    rows = cloud.json("flavor", "list")
    by_id = {row["ID"]: row for row in rows}
    for flavor_id, name, ram, vcpus, disk in DEFAULT_FLAVORS:
        assert flavor_id in by_id, f"flavor list lacks {name} (id {flavor_id}): {rows}"
        row = by_id[flavor_id]
        got = (row.get("Name"), row.get("RAM"), row.get("VCPUs"), row.get("Disk"))
        assert got == (name, ram, vcpus, disk), f"flavor {flavor_id}: (name, RAM, VCPUs, Disk) {got}: {row}"
        assert row.get("Is Public") is True, row

    tiny = cloud.json("flavor", "show", "m1.tiny")
    assert (tiny.get("id"), tiny.get("ram"), tiny.get("vcpus"), tiny.get("disk")) == ("1", 512, 1, 1), tiny


def test_flavor_create_show_delete(cloud):
    created = cloud.json("flavor", "create", "--ram", "256", "--vcpus", "1", "--disk", "1", FLAVOR)
    assert created.get("name") == FLAVOR, created
    assert created.get("id"), f"flavor create printed no id: {created}"
    assert (created.get("ram"), created.get("vcpus"), created.get("disk")) == (256, 1, 1), created
    flavor_id = created["id"]

    shown = cloud.json("flavor", "show", FLAVOR)
    assert shown.get("id") == flavor_id, shown
    assert (shown.get("name"), shown.get("ram"), shown.get("vcpus"), shown.get("disk")) == (FLAVOR, 256, 1, 1), shown
    assert shown.get("os-flavor-access:is_public") is True, shown
    assert FLAVOR in [row["Name"] for row in cloud.json("flavor", "list")], "flavor list lacks the new flavor"

    cloud.ok("flavor", "delete", FLAVOR)
    fails_not_found(cloud, "Flavor", f"/compute/v2.1/flavors/{flavor_id}", "flavor", "show", flavor_id)
    r = cloud.fails("flavor", "show", FLAVOR)
    assert "No Flavor found" in r.stderr or HTTP_404.search(r.stderr), r.describe()
    assert FLAVOR not in [row["Name"] for row in cloud.json("flavor", "list")], "flavor list still has it"


# --- hosts --------------------------------------------------------------------------------------


def test_hypervisors(cloud):
    rows = cloud.json("hypervisor", "list")
    names = sorted(row.get("Hypervisor Hostname") for row in rows)
    assert names == list(FAKE_HOSTS), f"hypervisor list: {rows}"
    for row in rows:
        assert row.get("State") == "up", f"hypervisor not up: {row}"


def test_compute_services(cloud):
    rows = cloud.json("compute", "service", "list")
    computes = [row for row in rows if row.get("Binary") == "nova-compute"]
    assert sorted(row.get("Host") for row in computes) == list(FAKE_HOSTS), f"compute service list: {rows}"
    for row in computes:
        assert row.get("State") == "up", f"nova-compute not up: {row}"
        assert row.get("Status") == "enabled", f"nova-compute not enabled: {row}"
        assert row.get("Zone") == "nova", row


# --- what a server needs: an image and a key pair -----------------------------------------------


def test_image_create(cloud, tmp_path_factory):
    path = tmp_path_factory.mktemp("compute-image") / "disk.raw"
    path.write_bytes(secrets.token_bytes(1024 * 1024))
    image = cloud.json(
        "image", "create", "--file", str(path), "--disk-format", "raw", "--container-format", "bare", IMAGE
    )
    assert image.get("status") == "active", f"image not active after its upload: {image}"
    assert image.get("id"), image
    cloud.state["image"] = image["id"]


def test_keypair_create(cloud, tmp_path_factory):
    if shutil.which("ssh-keygen") is None:
        pytest.skip("ssh-keygen not found")
    key = tmp_path_factory.mktemp("compute-key") / "id_ed25519"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"stratus-{RUN}", "-f", str(key)],
        check=True, capture_output=True, timeout=30,
    )
    pub = key.with_name(key.name + ".pub")
    listing = subprocess.run(
        ["ssh-keygen", "-l", "-E", "md5", "-f", str(pub)], check=True, capture_output=True, text=True, timeout=30
    ).stdout
    m = re.search(r"MD5:(\S+)", listing)
    assert m and MD5_FINGERPRINT.match(m.group(1)), f"unexpected ssh-keygen -l output: {listing!r}"
    expected = m.group(1)

    created = cloud.json("keypair", "create", "--public-key", str(pub), KEY)
    assert created.get("name") == KEY, created
    assert created.get("fingerprint") == expected, f"fingerprint {created.get('fingerprint')}, ssh-keygen says {expected}"
    assert created.get("type") == "ssh", created

    shown = cloud.json("keypair", "show", KEY)
    assert (shown.get("fingerprint"), shown.get("type")) == (expected, "ssh"), shown
    listed = {row["Name"]: row for row in cloud.json("keypair", "list")}
    assert KEY in listed, f"keypair list lacks {KEY}: {list(listed.values())}"
    assert listed[KEY].get("Fingerprint") == expected, listed[KEY]
    cloud.state["key"] = {"name": KEY, "fingerprint": expected}


# --- one server ---------------------------------------------------------------------------------


def test_server_create(cloud):
    need(cloud, "image", "key")
    server = cloud.json(
        "server", "create", "--flavor", "m1.tiny", "--image", IMAGE, "--key-name", KEY, "--nic", "auto",
        "--wait", SERVER,
    )
    assert server.get("name") == SERVER, server
    assert server.get("id"), f"server create printed no id: {server}"
    assert server.get("status") == "ACTIVE", f"not ACTIVE after server create --wait: {server}"
    addresses = _addresses(server)
    assert list(addresses) == [AUTO_NET] and len(addresses[AUTO_NET]) == 1, f"addresses: {addresses}"
    [address] = addresses[AUTO_NET]
    assert AUTO_ADDRESS.match(address), f"expected a 10.0.x.y address on {AUTO_NET}: {addresses}"
    assert server.get("key_name") == KEY, server
    assert _flavor_name(server) == "m1.tiny", f"flavor: {server.get('flavor')}"
    assert cloud.state["image"] in str(server.get("image")), f"image: {server.get('image')}"
    host = server.get("OS-EXT-SRV-ATTR:host")
    assert host in FAKE_HOSTS, f"OS-EXT-SRV-ATTR:host {host!r} is not one of {FAKE_HOSTS}"
    cloud.state["server"] = {"id": server["id"], "address": address, "host": host}


def test_server_show_and_list(cloud):
    need(cloud, "server")
    srv = cloud.state["server"]
    shown = cloud.json("server", "show", SERVER)
    assert shown.get("id") == srv["id"], shown
    assert shown.get("status") == "ACTIVE", shown
    assert _addresses(shown) == {AUTO_NET: [srv["address"]]}, shown
    assert shown.get("OS-EXT-STS:vm_state") == "active", shown
    assert shown.get("OS-EXT-STS:power_state") in (1, "Running"), shown
    assert shown.get("key_name") == KEY, shown
    assert _flavor_name(shown) == "m1.tiny", shown

    rows = {row["ID"]: row for row in cloud.json("server", "list")}
    assert srv["id"] in rows, f"server list lacks {SERVER}: {list(rows.values())}"
    row = rows[srv["id"]]
    assert row.get("Name") == SERVER and row.get("Status") == "ACTIVE", row
    assert _addresses(row) == {AUTO_NET: [srv["address"]]}, row
    assert row.get("Flavor") == "m1.tiny", row
    assert row.get("Image") == IMAGE, row


def test_server_port(cloud):
    need(cloud, "server")
    srv = cloud.state["server"]
    ports = cloud.json("port", "list", "--server", srv["id"])
    assert len(ports) == 1, f"port list --server {srv['id']}: {ports}"
    [port] = ports
    ips = [ip.get("ip_address") for ip in port.get("Fixed IP Addresses") or []]
    assert ips == [srv["address"]], f"the port's fixed IPs {ips} are not the server's address {srv['address']}: {port}"
    assert port.get("Status") == "ACTIVE", f"the server's port is not ACTIVE: {port}"

    shown = cloud.json("port", "show", port["ID"])
    assert shown.get("device_id") == srv["id"], shown
    assert shown.get("device_owner") == "compute:nova", shown
    assert shown.get("binding_host_id") == srv["host"], f"port bound to {shown.get('binding_host_id')}, server on {srv['host']}"
    cloud.state["port"] = port["ID"]


# --- power actions ------------------------------------------------------------------------------


def test_stop_and_start(cloud):
    need(cloud, "server")
    cloud.ok("server", "stop", SERVER)
    shown = cloud.wait_shown(["server"], SERVER, "SHUTOFF", WAIT_DEADLINE)
    assert shown.get("OS-EXT-STS:vm_state") == "stopped", shown
    assert shown.get("OS-EXT-STS:power_state") in (4, "Shutdown"), shown

    cloud.ok("server", "start", SERVER)
    cloud.wait_for("server", SERVER, "ACTIVE", WAIT_DEADLINE)
    cloud.state["stopped_and_started"] = True


def test_start_while_active_conflicts(cloud):
    need(cloud, "stopped_and_started")
    r = cloud.fails("server", "start", SERVER)
    assert HTTP_409.search(r.stderr), f"expected HTTP 409 in stderr\n{r.describe()}"
    assert _server_status(cloud, SERVER) == "ACTIVE"


def test_reboot(cloud):
    need(cloud, "stopped_and_started")
    cloud.ok("server", "reboot", "--wait", SERVER)
    assert _server_status(cloud, SERVER) == "ACTIVE"
    cloud.state["rebooted"] = True


def test_pause_and_unpause(cloud):
    need(cloud, "rebooted")
    cloud.ok("server", "pause", SERVER)
    cloud.wait_for("server", SERVER, "PAUSED", WAIT_DEADLINE)
    cloud.ok("server", "unpause", SERVER)
    cloud.wait_for("server", SERVER, "ACTIVE", WAIT_DEADLINE)
    cloud.state["paused"] = True


def test_suspend_and_resume(cloud):
    need(cloud, "paused")
    cloud.ok("server", "suspend", SERVER)
    cloud.wait_for("server", SERVER, "SUSPENDED", WAIT_DEADLINE)
    cloud.ok("server", "resume", SERVER)
    cloud.wait_for("server", SERVER, "ACTIVE", WAIT_DEADLINE)
    cloud.state["power_actions"] = True


# --- what the server remembers ------------------------------------------------------------------


def test_console_log(cloud):
    need(cloud, "server")
    srv = cloud.state["server"]
    r = cloud.ok("console", "log", "show", SERVER)
    assert SERVER in r.stdout, f"the console log does not name the server\n{r.describe()}"
    assert re.search(rf"(?<![\d.]){re.escape(srv['address'])}(?![\d.])", r.stdout), (
        f"the console log does not show the server's address {srv['address']}\n{r.describe()}"
    )


def test_server_event_list(cloud):
    need(cloud, "power_actions")
    rows = cloud.json("server", "event", "list", SERVER)
    actions = [row.get("Action") for row in rows]
    expected = ["create", "stop", "start", "reboot", "pause", "unpause", "suspend", "resume"]
    # One action per accepted request (the refused start records none), newest first as Nova lists them.
    assert actions == expected[::-1], f"server event list: {actions}, expected {expected[::-1]}\n{rows}"
    for row in rows:
        assert row.get("Server ID") == cloud.state["server"]["id"], row
        assert (row.get("Request ID") or "").startswith("req-"), row
    cloud.state["create_request"] = next(row["Request ID"] for row in rows if row.get("Action") == "create")


def test_server_event_show_create(cloud):
    need(cloud, "create_request")
    request_id = cloud.state["create_request"]
    action = cloud.json("server", "event", "show", SERVER, request_id)
    assert action.get("action") == "create", action
    assert action.get("request_id") == request_id, action
    events = {event.get("event"): event for event in action.get("events") or []}
    assert "compute_build_and_run_instance" in events, f"events of the create: {action.get('events')}"
    build = events["compute_build_and_run_instance"]
    assert build.get("result") == "Success", build
    assert build.get("host") == cloud.state["server"]["host"], build


# --- several servers at once --------------------------------------------------------------------


def test_multi_create(cloud):
    need(cloud, "image")
    # The CLI accepts --wait with --min/--max but waits only for the server it prints (the first);
    # the list is polled for the others.
    cloud.ok(
        "server", "create", "--flavor", "m1.tiny", "--image", IMAGE, "--nic", "none",
        "--min", "3", "--max", "3", "--wait", MULTI,
    )
    expected = [f"{MULTI}-{i}" for i in (1, 2, 3)]
    end = time.monotonic() + WAIT_DEADLINE
    while True:
        rows = _servers_by_name(cloud, "--name", MULTI)
        statuses = {name: row.get("Status") for name, row in rows.items()}
        if sorted(statuses) == expected and all(s == "ACTIVE" for s in statuses.values()):
            break
        assert "ERROR" not in statuses.values(), f"server list --name {MULTI}: {list(rows.values())}"
        if time.monotonic() >= end:
            pytest.fail(f"not three ACTIVE servers {expected} within {WAIT_DEADLINE:.0f}s: {statuses}")
        time.sleep(WAIT_INTERVAL)

    long_rows = {row["Name"]: row for row in cloud.json("server", "list", "--long", "--name", MULTI)}
    assert sorted(long_rows) == expected, list(long_rows.values())
    hosts = {}
    for name, row in long_rows.items():
        assert row.get("Host") in FAKE_HOSTS, f"{name} is on {row.get('Host')!r}, not one of {FAKE_HOSTS}: {row}"
        hosts[name] = row["Host"]
    for name in expected:
        shown = cloud.json("server", "show", long_rows[name]["ID"])
        assert shown.get("OS-EXT-SRV-ATTR:host") == hosts[name], shown
        assert _addresses(shown) == {}, f"--nic none, yet {name} has addresses: {shown}"
    cloud.state["multi"] = {name: long_rows[name]["ID"] for name in expected}


def test_resize_and_confirm(cloud):
    need(cloud, "server")
    cloud.ok("server", "resize", "--flavor", "m1.small", "--wait", SERVER)
    cloud.wait_for("server", SERVER, "VERIFY_RESIZE", WAIT_DEADLINE)
    cloud.ok("server", "resize", "confirm", SERVER)
    shown = cloud.wait_shown(["server"], SERVER, "ACTIVE", WAIT_DEADLINE)
    assert _flavor_name(shown) == "m1.small", f"flavor after resize confirm: {shown.get('flavor')}"


def test_server_image_create(cloud):
    need(cloud, "server")
    image = cloud.json("server", "image", "create", "--name", SNAPSHOT, "--wait", SERVER)
    assert image.get("name") == SNAPSHOT, image
    shown = cloud.json("image", "show", SNAPSHOT)
    assert shown.get("status") == "active", shown
    properties = shown.get("properties") or {}
    assert properties.get("image_type") == "snapshot", shown
    assert properties.get("instance_uuid") == cloud.state["server"]["id"], shown
    cloud.wait_for("server", SERVER, "ACTIVE", WAIT_DEADLINE)
    cloud.state["snapshot"] = shown["id"]


def test_rebuild_from_the_snapshot(cloud):
    need(cloud, "server", "snapshot")
    srv = cloud.state["server"]
    # With --wait the CLI prints "Complete" before the rebuild's reply, so read the result with show.
    cloud.ok("server", "rebuild", "--image", SNAPSHOT, "--wait", SERVER)
    shown = cloud.json("server", "show", SERVER)
    assert shown.get("status") == "ACTIVE", shown
    assert cloud.state["snapshot"] in str(shown.get("image")), f"image after rebuild: {shown.get('image')}"
    assert _addresses(shown) == {AUTO_NET: [srv["address"]]}, f"rebuild kept the port: {shown}"
    actions = [row.get("Action") for row in cloud.json("server", "event", "list", SERVER)]
    assert "rebuild" in actions, actions


def test_shelve_and_unshelve(cloud):
    need(cloud, "server")
    srv = cloud.state["server"]
    cloud.ok("server", "shelve", "--wait", SERVER)
    shelved = cloud.json("server", "show", SERVER)
    assert shelved.get("status") == "SHELVED_OFFLOADED", shelved
    assert not shelved.get("OS-EXT-SRV-ATTR:host"), f"an offloaded server is on no host: {shelved}"
    assert _addresses(shelved) == {AUTO_NET: [srv["address"]]}, f"shelving keeps the port: {shelved}"
    image = cloud.json("image", "show", f"{SERVER}-shelved")
    assert image.get("status") == "active", image

    cloud.ok("server", "unshelve", "--wait", SERVER)
    shown = cloud.json("server", "show", SERVER)
    assert shown.get("status") == "ACTIVE", shown
    assert shown.get("OS-EXT-SRV-ATTR:host") in FAKE_HOSTS, shown
    assert _addresses(shown) == {AUTO_NET: [srv["address"]]}, shown
    cloud.state["server"]["host"] = shown.get("OS-EXT-SRV-ATTR:host")
    cloud.fails("image", "show", f"{SERVER}-shelved")


def test_server_group_anti_affinity(cloud):
    need(cloud, "image")
    group = cloud.json("server", "group", "create", "--policy", "anti-affinity", GROUP)
    assert group.get("policy") == "anti-affinity", group
    hosts = {}
    for index in (1, 2):
        server = cloud.json(
            "server", "create", "--flavor", "m1.tiny", "--image", IMAGE, "--nic", "none", "--hint", f"group={group['id']}",
            "--wait", f"{GROUP}-{index}",
        )
        assert server.get("status") == "ACTIVE", server
        hosts[server["id"]] = server.get("OS-EXT-SRV-ATTR:host")
    assert len(set(hosts.values())) == 2, f"anti-affinity members share a host: {hosts}"
    members = cloud.json("server", "group", "show", GROUP).get("members")
    assert sorted(members if isinstance(members, list) else members.split(", ")) == sorted(hosts), members
    cloud.state["group_servers"] = hosts


# --- a second project ---------------------------------------------------------------------------


def test_create_member_project_user_role(cloud):
    project = cloud.json("project", "create", MEMBER_PROJECT)
    user = cloud.json("user", "create", "--project", MEMBER_PROJECT, "--password", MEMBER_PASSWORD, MEMBER_USER)
    cloud.ok("role", "add", "--project", MEMBER_PROJECT, "--user", MEMBER_USER, "member")
    tok = cloud.json("token", "issue", os_env=_member_env(cloud))
    assert tok.get("project_id") == project["id"], tok
    cloud.state["member"] = {"project_id": project["id"], "user_id": user["id"]}


def test_quota_refuses_a_third_server(cloud):
    need(cloud, "image", "member")
    cloud.ok("image", "set", "--public", IMAGE)
    cloud.ok("quota", "set", "--instances", "2", MEMBER_PROJECT)
    env = _member_env(cloud)
    ids = []
    for index in (1, 2):
        server = cloud.json(
            "server", "create", "--flavor", "m1.tiny", "--image", IMAGE, "--nic", "none", "--wait", f"{QUOTA_SERVER}-{index}", os_env=env,
        )
        assert server.get("status") == "ACTIVE", server
        ids.append(server["id"])
    refused = cloud.fails("server", "create", "--flavor", "m1.tiny", "--image", IMAGE, "--nic", "none", f"{QUOTA_SERVER}-3", os_env=env)
    assert HTTP_403.search(refused.stderr) and "Quota exceeded for instances" in refused.stderr, refused.describe()
    cloud.ok("server", "delete", "--wait", *ids, os_env=env)


def test_member_cannot_see_admin_servers(cloud):
    need(cloud, "member", "server")
    server_id = cloud.state["server"]["id"]
    env = _member_env(cloud)

    rows = cloud.json("server", "list", os_env=env)
    assert rows == [], f"the member's server list shows servers of another project: {rows}"

    fails_not_found(cloud, "Server", f"/compute/v2.1/servers/{server_id}", "server", "show", server_id, os_env=env)

    mark = log_mark(cloud)
    r = cloud.fails("server", "delete", server_id, os_env=env)
    assert HTTP_404.search(r.stderr) or "No Server found" in r.stderr, r.describe()
    deletes = logged_statuses(cloud, mark, "DELETE", f"/compute/v2.1/servers/{server_id}", settle=False)
    assert all(s == "404" for s in deletes), f"the member's DELETE was answered {deletes}\n{r.describe()}"
    assert _server_status(cloud, server_id) == "ACTIVE", "the admin's server changed after the member's delete"


def test_member_may_not_list_all_projects(cloud):
    """Nova checks os_compute_api:servers:detail:get_all_tenants (admin only) whenever all_tenants is
    asked for and refuses with 403; it does not quietly answer with the caller's own servers."""
    need(cloud, "member")
    mark = log_mark(cloud)
    r = cloud.run("server", "list", "--all-projects", "-f", "json", os_env=_member_env(cloud))
    statuses = logged_statuses(cloud, mark, "GET", "/compute/v2.1/servers/detail")
    assert r.returncode != 0 and HTTP_403.search(r.stderr), (
        f"expected a 403 for a member's server list --all-projects (server answered {statuses})\n{r.describe()}"
    )


def test_member_may_not_list_hypervisors(cloud):
    need(cloud, "member")
    r = cloud.fails("hypervisor", "list", os_env=_member_env(cloud))
    assert HTTP_403.search(r.stderr), f"expected HTTP 403 in stderr\n{r.describe()}"


# --- bad input ----------------------------------------------------------------------------------


def test_create_with_unknown_flavor(cloud):
    need(cloud, "image")
    r = cloud.fails(
        "server", "create", "--flavor", "no-such-flavor", "--image", IMAGE, "--nic", "none", BAD
    )
    assert not HTTP_500.search(r.stderr), f"an unknown flavor is not a server error\n{r.describe()}"
    assert "no-such-flavor" in r.stderr, r.describe()
    assert _servers_by_name(cloud, "--name", BAD) == {}, "a refused server create left a server behind"


def test_create_with_unknown_image(cloud):
    r = cloud.fails(
        "server", "create", "--flavor", "m1.tiny", "--image", "no-such-image", "--nic", "none", BAD
    )
    assert not HTTP_500.search(r.stderr), f"an unknown image is not a server error\n{r.describe()}"
    assert "no-such-image" in r.stderr, r.describe()
    assert _servers_by_name(cloud, "--name", BAD) == {}, "a refused server create left a server behind"


def test_create_with_flavor_too_small_for_image(cloud, tmp_path_factory):
    """Both names resolve, so this one reaches the server: an image whose min_disk exceeds the
    flavor's disk is a 400 (Nova's FlavorDiskSmallerThanMinDisk), and no server is made."""
    path = tmp_path_factory.mktemp("compute-big-disk") / "disk.raw"
    path.write_bytes(secrets.token_bytes(64 * 1024))
    image = cloud.json(
        "image", "create", "--file", str(path), "--disk-format", "raw", "--container-format", "bare",
        "--min-disk", "2", IMAGE_BIG_DISK,
    )
    assert image.get("status") == "active", image
    r = cloud.fails("server", "create", "--flavor", "m1.tiny", "--image", IMAGE_BIG_DISK, "--nic", "none", BAD)
    assert HTTP_400.search(r.stderr) and not HTTP_500.search(r.stderr), f"expected HTTP 400\n{r.describe()}"
    assert "too small" in r.stderr, f"expected a message that the flavor's disk is too small\n{r.describe()}"
    assert _servers_by_name(cloud, "--name", BAD) == {}, "a refused server create left a server behind"
    cloud.ok("image", "delete", IMAGE_BIG_DISK)


# --- deleting -----------------------------------------------------------------------------------


def test_delete_servers(cloud):
    ids = {}
    if "server" in cloud.state:
        ids[SERVER] = cloud.state["server"]["id"]
    ids.update(cloud.state.get("multi", {}))
    ids.update({f"{GROUP}-{server_id}": server_id for server_id in cloud.state.get("group_servers", {})})
    if not ids:
        pytest.skip("prerequisite test did not pass (no servers were created)")

    cloud.ok("server", "delete", "--wait", *ids.values())
    for name, server_id in ids.items():
        fails_not_found(cloud, "Server", f"/compute/v2.1/servers/{server_id}", "server", "show", server_id)
    rows = cloud.json("server", "list")
    assert rows == [], f"server list after deleting every server: {rows}"

    # `port list --server` resolves the (now gone) server first, so ask by device id instead.
    for name, server_id in ids.items():
        ports = cloud.json("port", "list", "--device-id", server_id)
        assert ports == [], f"{name}'s ports outlive it: {ports}"
    if "port" in cloud.state:
        port_id = cloud.state["port"]
        fails_not_found(cloud, "Port", f"/networking/v2.0/ports/{port_id}", "port", "show", port_id)


# --- aggregates, zones, usage and migrations (after the servers above are gone) -------------------

AGGREGATE = f"stratus-agg-{RUN}"
ZONE = f"az1-{RUN}"
ZONED = f"stratus-zoned-{RUN}"
ZONE_HOST = "fake-2"


def _listed(value) -> list[str]:
    """A list field of `-f json` output: a list, or a comma-separated string in older CLIs."""
    if isinstance(value, list):
        return value
    return [item.strip() for item in str(value or "").split(",") if item.strip()]


def _count(value) -> int:
    """`Servers` of `usage list/show -f json`: the server usages, or their number in older CLIs."""
    return len(value) if isinstance(value, list) else int(value)


def test_aggregate_with_zone(cloud):
    created = cloud.json("aggregate", "create", "--zone", ZONE, AGGREGATE)
    assert created.get("name") == AGGREGATE and created.get("availability_zone") == ZONE, created
    cloud.ok("aggregate", "add", "host", AGGREGATE, ZONE_HOST)
    shown = cloud.json("aggregate", "show", AGGREGATE)
    assert _listed(shown.get("hosts")) == [ZONE_HOST], shown
    assert shown.get("availability_zone") == ZONE, shown
    zones = {row.get("Zone Name") for row in cloud.json("availability", "zone", "list", "--compute")}
    assert {ZONE, "nova"} <= zones, f"availability zone list: {zones}"
    services = {row.get("Host"): row for row in cloud.json("compute", "service", "list")}
    assert services[ZONE_HOST].get("Zone") == ZONE, services
    assert services["fake-0"].get("Zone") == "nova", services
    refused = cloud.fails("aggregate", "add", "host", AGGREGATE, ZONE_HOST)
    assert HTTP_409.search(refused.stderr), refused.describe()
    cloud.state["aggregate"] = created["id"]


def test_server_create_in_zone(cloud):
    need(cloud, "image", "aggregate")
    server = cloud.json(
        "server", "create", "--flavor", "m1.tiny", "--image", IMAGE, "--nic", "none", "--availability-zone", ZONE, "--wait", ZONED,
    )
    assert server.get("status") == "ACTIVE", server
    assert server.get("OS-EXT-SRV-ATTR:host") == ZONE_HOST, f"a server in {ZONE} landed outside its aggregate: {server}"
    assert server.get("OS-EXT-AZ:availability_zone") == ZONE, server
    cloud.state["zoned"] = server["id"]


def test_server_migration_list_after_resize(cloud):
    need(cloud, "zoned")
    cloud.ok("server", "resize", "--flavor", "m1.small", "--wait", ZONED)
    cloud.wait_for("server", ZONED, "VERIFY_RESIZE", WAIT_DEADLINE)
    cloud.ok("server", "resize", "confirm", ZONED)
    cloud.wait_for("server", ZONED, "ACTIVE", WAIT_DEADLINE)
    rows = [row for row in cloud.json("server", "migration", "list") if row.get("Server UUID") == cloud.state["zoned"]]
    assert len(rows) == 1, f"server migration list: {rows}"
    assert rows[0].get("Status") == "confirmed", rows
    assert rows[0].get("Source Compute") == ZONE_HOST and rows[0].get("Dest Compute") == ZONE_HOST, rows


def test_usage_list_and_show(cloud):
    need(cloud, "zoned")
    rows = cloud.json("usage", "list")
    assert rows, "usage list is empty although servers ran"
    admin = cloud.json("project", "show", "admin")
    by_project = {row.get("Project"): row for row in rows}
    usage = by_project.get("admin") or by_project.get(admin["id"])
    assert usage, f"usage list has no row for the admin project: {rows}"
    assert _count(usage.get("Servers")) >= 1, usage
    shown = cloud.json("usage", "show", "--project", "admin")
    assert _count(shown.get("Servers")) == _count(usage.get("Servers")), (shown, usage)
    assert float(shown.get("RAM MB-Hours")) > 0, shown


def test_aggregate_cleanup(cloud):
    need(cloud, "aggregate")
    if "zoned" in cloud.state:
        cloud.ok("server", "delete", "--wait", cloud.state["zoned"])
    refused = cloud.fails("aggregate", "delete", AGGREGATE)
    assert HTTP_400.search(refused.stderr) or "not empty" in refused.stderr, refused.describe()
    cloud.ok("aggregate", "remove", "host", AGGREGATE, ZONE_HOST)
    cloud.ok("aggregate", "delete", AGGREGATE)
    zones = {row.get("Zone Name") for row in cloud.json("availability", "zone", "list", "--compute")}
    assert ZONE not in zones, zones
