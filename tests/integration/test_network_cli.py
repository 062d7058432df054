"""Networking (Neutron v2.0 at /networking) through the real `openstack` CLI against `stratus all-in-one`.

The module has a server of its own (`module_cloud` in conftest.py), so it neither sees the other
modules' users and networks nor is restarted by them. The tests run in file order and share state
through `cloud.state`; a test whose prerequisite failed is skipped. Names carry a per-run suffix.

Where the CLI turns a 404 into its own "No <Resource> found for <id>" (openstacksdk's find() does
so for a 400 or 403 too), the server's request log is read to tell which status the GET by id got.
"""

from __future__ import annotations

import ipaddress
import re
import secrets

import pytest

from cli_checks import HTTP_400, HTTP_403, HTTP_409, HTTP_4XX, HTTP_500, fails_not_found, need

RUN = secrets.token_hex(3)

NET = f"stratus-net-{RUN}"
SUBNET = f"stratus-subnet-{RUN}"
OTHER_NET = f"stratus-other-net-{RUN}"
PORT_1 = f"stratus-port-1-{RUN}"
PORT_2 = f"stratus-port-2-{RUN}"
PORT_3 = f"stratus-port-3-{RUN}"
GROUP_WEB = f"web-{RUN}"
PRIVATE_NET = f"stratus-private-{RUN}"
SHARED_NET = f"shared-net-{RUN}"
SHARED_SUBNET = f"shared-subnet-{RUN}"
ADMIN_PORT = f"P-admin-{RUN}"
DEMO_PORT = f"demo-port-{RUN}"

DEMO_PROJECT = f"demo-net-{RUN}"
DEMO_USER = f"demo-net-user-{RUN}"
DEMO_PASSWORD = "demo-Net-Pw-2718"

CIDR = "192.168.50.0/24"
SHARED_CIDR = "192.168.60.0/24"
MAC = re.compile(r"^fa:16:3e(:[0-9a-f]{2}){3}$")
AUTO_CIDR = re.compile(r"^10\.0\.(\d{1,3})\.0/24$")


@pytest.fixture(scope="module")
def cloud(module_cloud):
    """This module's own server (see the module docstring)."""
    return module_cloud


def _demo_env(cloud) -> dict[str, str]:
    return cloud.user_env(DEMO_USER, DEMO_PASSWORD, DEMO_PROJECT)


# --- helpers over the CLI -----------------------------------------------------------------------


def _ports_by_name(cloud, *args: str, **kw) -> dict[str, dict]:
    """`port list ARGS` as {name: row}."""
    rows = cloud.json("port", "list", *args, **kw)
    return {row["Name"]: row for row in rows}


def _addresses(row: dict) -> list[tuple[str, str]]:
    """(ip_address, subnet_id) of a port's `fixed_ips` (show) or "Fixed IP Addresses" (list)."""
    ips = row.get("fixed_ips", row.get("Fixed IP Addresses"))
    assert isinstance(ips, list), f"no list of fixed IPs in {row}"
    return [(ip.get("ip_address"), ip.get("subnet_id")) for ip in ips]


# --- networks, subnets, ports -------------------------------------------------------------------


def test_network_create(cloud):
    net = cloud.json("network", "create", NET)
    assert net.get("name") == NET, net
    assert net.get("id"), f"network create printed no id: {net}"
    assert net.get("status") == "ACTIVE", net
    assert net.get("admin_state_up") in (True, "UP"), net
    assert net.get("shared") is False, net
    external = net.get("router:external", net.get("is_router_external"))
    assert external in (False, "Internal"), f"router:external should be false: {net}"
    assert net.get("mtu") == 1500, net
    assert net.get("subnets") in ([], "", None), f"a new network has no subnets: {net}"
    cloud.state["net"] = net


def test_subnet_create(cloud):
    need(cloud, "net")
    subnet = cloud.json("subnet", "create", "--network", NET, "--subnet-range", CIDR, SUBNET)
    assert subnet.get("name") == SUBNET, subnet
    assert subnet.get("network_id") == cloud.state["net"]["id"], subnet
    assert subnet.get("cidr") == CIDR, subnet
    assert subnet.get("gateway_ip") == "192.168.50.1", subnet
    assert subnet.get("allocation_pools") == [{"start": "192.168.50.2", "end": "192.168.50.254"}], subnet
    assert subnet.get("ip_version") == 4, subnet
    assert subnet.get("enable_dhcp") is True, subnet
    cloud.state["subnet"] = subnet

    net = cloud.json("network", "show", NET)
    assert net.get("subnets") == [subnet["id"]], f"network show does not list the new subnet: {net}"


def test_port_create_fixed_and_allocated(cloud):
    need(cloud, "net", "subnet")
    subnet_id = cloud.state["subnet"]["id"]

    p1 = cloud.json("port", "create", "--network", NET, "--fixed-ip", f"subnet={SUBNET},ip-address=192.168.50.10", PORT_1)
    assert p1.get("name") == PORT_1, p1
    assert p1.get("network_id") == cloud.state["net"]["id"], p1
    assert _addresses(p1) == [("192.168.50.10", subnet_id)], f"port {PORT_1} fixed_ips: {p1.get('fixed_ips')}"
    assert MAC.match(p1.get("mac_address") or ""), f"mac_address {p1.get('mac_address')!r} is not fa:16:3e:xx:xx:xx"
    cloud.state["p1"] = p1

    # No address asked for: the first address of the pool; the gateway (.1) is never handed out.
    p2 = cloud.json("port", "create", "--network", NET, PORT_2)
    assert _addresses(p2) == [("192.168.50.2", subnet_id)], f"port {PORT_2} fixed_ips: {p2.get('fixed_ips')}"
    assert MAC.match(p2.get("mac_address") or ""), f"mac_address {p2.get('mac_address')!r} is not fa:16:3e:xx:xx:xx"
    assert p2["mac_address"] != p1["mac_address"], (p1, p2)
    cloud.state["p2"] = p2


def test_port_create_refused_addresses(cloud):
    need(cloud, "p1")
    r = cloud.fails("port", "create", "--network", NET, "--fixed-ip", f"subnet={SUBNET},ip-address=192.168.50.10", PORT_3)
    assert HTTP_409.search(r.stderr), f"expected HTTP 409 in stderr\n{r.describe()}"
    assert "already allocated" in r.stderr, f"expected 'already allocated' in stderr\n{r.describe()}"

    r = cloud.fails("port", "create", "--network", NET, "--fixed-ip", f"subnet={SUBNET},ip-address=10.9.9.9", PORT_3)
    assert HTTP_400.search(r.stderr), f"expected HTTP 400 in stderr\n{r.describe()}"

    leftover = cloud.json("port", "list", "--name", PORT_3)
    assert leftover == [], f"a refused port create left a port behind: {leftover}"


def test_port_list_by_network(cloud):
    need(cloud, "p1", "p2")
    subnet_id = cloud.state["subnet"]["id"]
    ports = _ports_by_name(cloud, "--network", NET)
    assert sorted(ports) == sorted([PORT_1, PORT_2]), f"port list --network {NET}: {list(ports.values())}"
    assert ports[PORT_1]["ID"] == cloud.state["p1"]["id"], ports[PORT_1]
    assert ports[PORT_2]["ID"] == cloud.state["p2"]["id"], ports[PORT_2]
    assert _addresses(ports[PORT_1]) == [("192.168.50.10", subnet_id)], ports[PORT_1]
    assert _addresses(ports[PORT_2]) == [("192.168.50.2", subnet_id)], ports[PORT_2]
    assert ports[PORT_1].get("MAC Address") == cloud.state["p1"]["mac_address"], ports[PORT_1]

    other = cloud.json("network", "create", OTHER_NET)
    listed = cloud.json("port", "list", "--network", other["id"])
    assert listed == [], f"port list --network {OTHER_NET} shows ports of another network: {listed}"


# --- security groups ----------------------------------------------------------------------------


def test_security_group_rules(cloud):
    group = cloud.json("security", "group", "create", GROUP_WEB)
    assert group.get("name") == GROUP_WEB, group
    cloud.state["web"] = group

    rule = cloud.json("security", "group", "rule", "create", "--protocol", "tcp", "--dst-port", "22", GROUP_WEB)
    assert rule.get("protocol") == "tcp", rule
    assert rule.get("port_range_min") == 22, rule
    assert rule.get("port_range_max") == 22, rule
    assert rule.get("direction") == "ingress", rule
    assert rule.get("security_group_id") == group["id"], rule

    rows = {row["ID"]: row for row in cloud.json("security", "group", "rule", "list", GROUP_WEB)}
    assert rule["id"] in rows, f"security group rule list {GROUP_WEB} lacks rule {rule['id']}: {list(rows.values())}"
    row = rows[rule["id"]]
    assert (row.get("IP Protocol"), row.get("Port Range"), row.get("Direction")) == ("tcp", "22:22", "ingress"), row

    r = cloud.fails("security", "group", "rule", "create", "--protocol", "tcp", "--dst-port", "22", GROUP_WEB)
    assert HTTP_409.search(r.stderr), f"expected HTTP 409 in stderr\n{r.describe()}"
    assert "already exists" in r.stderr, f"expected 'already exists' in stderr\n{r.describe()}"
    cloud.state["web_rules"] = sorted(rows)


def test_security_group_rule_bad_port_range(cloud):
    need(cloud, "web_rules")
    # The CLI itself refuses a reversed --dst-port range before it sends anything ...
    r = cloud.fails("security", "group", "rule", "create", "--protocol", "tcp", "--dst-port", "30:20", GROUP_WEB)
    assert not HTTP_500.search(r.stderr), f"a reversed port range is not a server error\n{r.describe()}"

    # ... so the reversed range goes to the server as plain attributes, which must refuse it with a 4xx.
    r = cloud.fails(
        "security", "group", "rule", "create", "--protocol", "tcp",
        "--extra-property", "type=int,name=port_range_min,value=30",
        "--extra-property", "type=int,name=port_range_max,value=20",
        GROUP_WEB,
    )
    assert HTTP_4XX.search(r.stderr) and not HTTP_500.search(r.stderr), f"expected a 4xx, not a 500\n{r.describe()}"
    assert HTTP_400.search(r.stderr), f"expected HTTP 400 in stderr\n{r.describe()}"

    rules = sorted(row["ID"] for row in cloud.json("security", "group", "rule", "list", GROUP_WEB))
    assert rules == cloud.state["web_rules"], "a refused rule create changed the group's rules"


def test_create_demo_project_user_role(cloud):
    project = cloud.json("project", "create", DEMO_PROJECT)
    user = cloud.json("user", "create", "--project", DEMO_PROJECT, "--password", DEMO_PASSWORD, DEMO_USER)
    cloud.ok("role", "add", "--project", DEMO_PROJECT, "--user", DEMO_USER, "member")
    tok = cloud.json("token", "issue", os_env=_demo_env(cloud))
    assert tok.get("project_id") == project["id"], tok
    admin = cloud.json("token", "issue")
    cloud.state["demo"] = {"project_id": project["id"], "user_id": user["id"]}
    cloud.state["admin_project_id"] = admin["project_id"]


def test_default_security_group(cloud):
    need(cloud, "demo")
    demo_project = cloud.state["demo"]["project_id"]

    # Demo's first use of the network service: the project's default group is made for it.
    groups = cloud.json("security", "group", "list", os_env=_demo_env(cloud))
    defaults = [g for g in groups if g.get("Name") == "default"]
    assert len(defaults) == 1, f"demo's security group list: {groups}"
    assert defaults[0].get("Project") == demo_project, defaults[0]
    assert all(g.get("Project") == demo_project for g in groups), f"demo sees other projects' groups: {groups}"

    # The admin project's, made when its first port was.
    admin_groups = cloud.json("security", "group", "list")
    admin_defaults = [
        g for g in admin_groups if g.get("Name") == "default" and g.get("Project") == cloud.state["admin_project_id"]
    ]
    assert len(admin_defaults) == 1, f"admin's security group list: {admin_groups}"

    r = cloud.fails("security", "group", "delete", "default", os_env=_demo_env(cloud))
    assert HTTP_409.search(r.stderr), f"expected HTTP 409 in stderr\n{r.describe()}"
    after = cloud.json("security", "group", "list", os_env=_demo_env(cloud))
    assert [g["ID"] for g in after if g.get("Name") == "default"] == [defaults[0]["ID"]], after


# --- deleting a network -------------------------------------------------------------------------


def test_network_delete_refused_while_ports_exist(cloud):
    need(cloud, "net", "subnet", "p1", "p2")
    net_id = cloud.state["net"]["id"]
    subnet_id = cloud.state["subnet"]["id"]

    r = cloud.fails("network", "delete", NET)
    assert HTTP_409.search(r.stderr), f"expected HTTP 409 in stderr\n{r.describe()}"
    assert "ports still in use" in r.stderr, f"expected 'ports still in use' in stderr\n{r.describe()}"
    assert cloud.json("network", "show", NET).get("id") == net_id, "the refused delete removed the network"

    cloud.ok("port", "delete", PORT_1, PORT_2)
    assert cloud.json("port", "list", "--network", NET) == [], "ports left after port delete"

    cloud.ok("network", "delete", NET)
    fails_not_found(cloud, "Network", f"/networking/v2.0/networks/{NET}", "network", "show", NET)
    fails_not_found(cloud, "Network", f"/networking/v2.0/networks/{net_id}", "network", "show", net_id)
    # Its subnet goes with it.
    fails_not_found(cloud, "Subnet", f"/networking/v2.0/subnets/{subnet_id}", "subnet", "show", subnet_id)


# --- a second project ---------------------------------------------------------------------------


def test_demo_cannot_see_admin_private_network(cloud):
    need(cloud, "demo")
    private = cloud.json("network", "create", PRIVATE_NET)
    fails_not_found(
        cloud, "Network", f"/networking/v2.0/networks/{private['id']}",
        "network", "show", private["id"], os_env=_demo_env(cloud),
    )
    listed = [row["ID"] for row in cloud.json("network", "list", os_env=_demo_env(cloud))]
    assert private["id"] not in listed, f"demo's network list shows admin's private network: {listed}"


def test_demo_may_not_create_shared_network(cloud):
    need(cloud, "demo")
    name = f"X-{RUN}"
    r = cloud.fails("network", "create", "--share", name, os_env=_demo_env(cloud))
    assert HTTP_403.search(r.stderr), f"expected HTTP 403 in stderr\n{r.describe()}"
    assert cloud.json("network", "list", "--name", name) == [], "a refused network create left a network behind"


def test_demo_port_on_shared_network(cloud):
    need(cloud, "demo")
    shared = cloud.json("network", "create", "--share", SHARED_NET)
    assert shared.get("shared") is True, shared
    subnet = cloud.json("subnet", "create", "--network", SHARED_NET, "--subnet-range", SHARED_CIDR, SHARED_SUBNET)

    listed = [row["ID"] for row in cloud.json("network", "list", os_env=_demo_env(cloud))]
    assert shared["id"] in listed, f"demo's network list lacks the shared network: {listed}"

    port = cloud.json("port", "create", "--network", SHARED_NET, DEMO_PORT, os_env=_demo_env(cloud))
    assert port.get("network_id") == shared["id"], port
    assert port.get("project_id") == cloud.state["demo"]["project_id"], f"demo's port belongs to another project: {port}"
    [(address, subnet_id)] = _addresses(port)
    assert subnet_id == subnet["id"], port
    assert ipaddress.ip_address(address) in ipaddress.ip_network(SHARED_CIDR), port
    cloud.state["shared"] = {"network": shared, "subnet": subnet, "demo_port": port}


def test_demo_cannot_see_admin_port(cloud):
    need(cloud, "shared")
    admin_port = cloud.json("port", "create", "--network", SHARED_NET, ADMIN_PORT)
    fails_not_found(
        cloud, "Port", f"/networking/v2.0/ports/{admin_port['id']}",
        "port", "show", admin_port["id"], os_env=_demo_env(cloud),
    )
    ports = _ports_by_name(cloud, os_env=_demo_env(cloud))
    assert sorted(ports) == [DEMO_PORT], f"demo's port list: {list(ports.values())}"


# --- get me a network ---------------------------------------------------------------------------


def test_auto_allocated_topology(cloud):
    need(cloud, "demo")
    demo_project = cloud.state["demo"]["project_id"]

    first = cloud.json("network", "auto", "allocated", "topology", "create", os_env=_demo_env(cloud))
    assert first.get("id"), f"no network id: {first}"
    assert first.get("project_id") == demo_project, first

    again = cloud.json("network", "auto", "allocated", "topology", "create", os_env=_demo_env(cloud))
    assert again.get("id") == first["id"], f"a second request gave another network: {first} then {again}"

    net = cloud.json("network", "show", first["id"], os_env=_demo_env(cloud))
    assert net.get("project_id") == demo_project, net
    assert net.get("status") == "ACTIVE", net

    subnets = cloud.json("subnet", "list", "--network", first["id"], os_env=_demo_env(cloud))
    assert len(subnets) == 1, f"subnet list --network {first['id']}: {subnets}"
    m = AUTO_CIDR.match(subnets[0].get("Subnet") or "")
    assert m and int(m.group(1)) <= 255, f"expected a 10.0.x.0/24 subnet: {subnets}"
