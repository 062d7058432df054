"""The distributed mode (`scripts/cluster.sh up`): PostgreSQL, two `stratus api`, two conductors, two schedulers
and three `stratus compute` hosts with no database credentials, each its own process, driven by the real
openstack CLI; then `kill -9` of each kind of process while 50 servers boot."""

from __future__ import annotations

import concurrent.futures
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.parse
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from conftest import REPO, Cloud, clean_environ
from qemu_guests import build_guest_image, kill_guests, wait_console

HOSTS = ["compute-1", "compute-2", "compute-3"]


class Cluster:
    """What `Cloud` needs of a server: the directory with admin-openrc.sh, and a count of starts (one)."""

    def __init__(self, directory: Path):
        self.data_dir = directory
        self.starts = 1

    def script(self, *args: str, env: dict[str, str] | None = None) -> str:
        proc = subprocess.run(
            ["bash", str(REPO / "scripts/cluster.sh"), *args], capture_output=True, text=True, timeout=180, env=env or clean_environ()
        )
        assert proc.returncode == 0, f"cluster.sh {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        return proc.stdout

    def pid(self, name: str) -> int:
        return int((self.data_dir / "pids" / name).read_text())

    def log(self, name: str) -> str:
        return (self.data_dir / "logs" / f"{name}.log").read_text(errors="replace")

    def restart_postgres(self) -> None:
        """Restarts the PostgreSQL cluster (fast shutdown: every connection is cut) on the same port."""
        line = next(l for l in self.log("postgres").splitlines() if "(dir " in l)
        cluster = line.rsplit("(dir ", 1)[1].rstrip(")")
        pg_ctl = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))[-1]
        runner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        # The new server logs to a file: holding this test's pipes open, it would keep the command from returning.
        proc = subprocess.run([*runner, str(pg_ctl), "-D", f"{cluster}/data", "-l", f"{cluster}/data/restart.log", "-m", "fast", "-w",
                               "-t", "60", "restart"], capture_output=True, text=True, timeout=120, cwd=cluster)
        assert proc.returncode == 0, proc.stdout + proc.stderr

    def sql(self, query: str) -> str:
        url = (self.data_dir / "postgres.url").read_text().strip()
        proc = subprocess.run(["psql", "-X", "-A", "-t", "-c", query, url], capture_output=True, text=True, timeout=30)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.strip()


@contextlib.contextmanager
def cluster_up(stratus_bin: Path, **extra_env: str):
    """A cluster (scripts/cluster.sh up) in a directory of its own, brought down (its logs kept) afterwards."""
    base = Path(tempfile.mkdtemp(prefix="stratus-cluster-"))
    cluster = Cluster(base)
    env = clean_environ()
    # A dead consumer's messages come back after 6 s instead of 30, and a silent host is down after 10 s instead of 60
    # (hosts report every 2 s instead of 10), so that the fault tests wait less.
    env.update(
        STRATUS_BIN=str(stratus_bin), STRATUS_CLUSTER_ARGS="--message-lease 6 --service-down-time 10 --volumes fake",
        STRATUS_CLUSTER_COMPUTE_ARGS="--report-interval 2",
    )
    env.update(extra_env)
    try:
        out = cluster.script("up", str(base), env=env)
        assert re.fullmatch(r"stratus ready: http://[0-9.]+:[0-9]+/identity/v3", out.strip()), out
        yield cluster
    finally:
        subprocess.run(["bash", str(REPO / "scripts/cluster.sh"), "down", str(base)], capture_output=True, timeout=120)
        for host in ("compute-1", "compute-2"):
            if (base / host / "instances").is_dir():
                kill_guests(base / host)
        logs = Path(os.environ.get("STRATUS_TEST_ARTIFACTS", REPO / ".test-artifacts/integration")) / "test_distributed_cli" / base.name
        shutil.rmtree(logs, ignore_errors=True)
        if (base / "logs").is_dir():
            shutil.copytree(base / "logs", logs)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def cluster(stratus_bin: Path):
    with cluster_up(stratus_bin) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def cloud(cluster: Cluster, openstack_cli) -> Cloud:
    return Cloud(cluster, openstack_cli)


def test_compute_hosts_hold_no_database_credentials(cluster: Cluster):
    url = (cluster.data_dir / "postgres.url").read_text().strip()
    password = url.split(":")[2].split("@")[0]
    for host in HOSTS:
        pid = cluster.pid(host)
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode()
        environ = Path(f"/proc/{pid}/environ").read_bytes().decode(errors="replace")
        assert "postgres" not in argv and password not in argv, argv
        assert "postgres://" not in environ and password not in environ
        assert "--database" not in argv
        credentials = json.loads((cluster.data_dir / host / "credentials.json").read_text())
        assert credentials["username"] == f"compute-{host}" and "postgres" not in json.dumps(credentials)


def test_servers_on_every_host_through_the_cli(cloud: Cloud, cluster: Cluster):
    services = cloud.json("compute", "service", "list")
    assert sorted((s["Host"], s["State"]) for s in services if s["Binary"] == "nova-compute") == [(h, "up") for h in HOSTS]
    assert "m1.tiny" in [f["Name"] for f in cloud.json("flavor", "list")]
    image = cluster.data_dir / "image.raw"
    image.write_bytes(b"\0" * 4096)
    cloud.ok("image", "create", "--disk-format", "raw", "--container-format", "bare", "--file", str(image), "img")
    for host in HOSTS:
        shown = cloud.json("--os-compute-api-version", "2.74", "server", "create", "--flavor", "m1.tiny", "--image", "img",
                           "--no-network", "--host", host, "--wait", f"on-{host}")
        assert shown["status"] == "ACTIVE" and shown["OS-EXT-SRV-ATTR:host"] == host, shown
    cloud.ok("server", "stop", "on-compute-1")
    cloud.wait_for("server", "on-compute-1", "SHUTOFF", 60)
    cloud.ok("server", "start", "on-compute-1")
    cloud.wait_for("server", "on-compute-1", "ACTIVE", 60)
    cloud.ok("server", "reboot", "--wait", "on-compute-2")
    assert cloud.json("server", "show", "on-compute-2")["status"] == "ACTIVE"
    assert cloud.ok("console", "log", "show", "on-compute-3").stdout.strip()
    url = cloud.json("console", "url", "show", "--novnc", "on-compute-3")["url"]
    assert "/vnc_lite.html?path=" in url or "token=" in url, url
    for host in HOSTS:
        cloud.ok("server", "delete", "--wait", f"on-{host}")
    assert cloud.json("server", "list") == []


def test_a_dashboard_session_made_on_one_api_process_serves_on_the_other(cloud: Cloud, cluster: Cluster):
    """Behind a load balancer a browser meets both API processes: the session is in the database, not in one process."""
    import http.client

    def request(api: int, method: str, path: str, body: str = "", cookie: str = "") -> http.client.HTTPResponse:
        origin = re.search(r"stratus ready: http://([^/]+)/identity/v3", cluster.log(f"api-{api}")).group(1)
        connection = http.client.HTTPConnection(origin, timeout=30)
        headers = {"Content-Type": "application/x-www-form-urlencoded", **({"Cookie": cookie} if cookie else {})}
        connection.request(method, path, body=body, headers=headers)
        return connection.getresponse()

    form = urllib.parse.urlencode({"domain": "Default", "user": "admin", "password": cloud.openrc_env()["OS_PASSWORD"]})
    login = request(1, "POST", "/dashboard/auth/login", form)
    assert login.status == 303, login.read()
    cookie = login.getheader("Set-Cookie").split(";")[0]
    page = request(2, "GET", "/dashboard/admin/hypervisors", cookie=cookie)
    text = page.read().decode()
    assert page.status == 200 and all(host in text for host in HOSTS), text[:500]
    csrf = re.search(r'name="csrf" value="([^"]+)"', text).group(1)
    assert request(2, "POST", "/dashboard/auth/logout", urllib.parse.urlencode({"csrf": csrf}), cookie).status == 303
    gone = request(1, "GET", "/dashboard/project/instances", cookie=cookie)
    assert gone.status == 303 and "/dashboard/auth/login" in gone.getheader("Location"), "logged out on both"


def test_a_host_may_not_link_as_another(cluster: Cluster, stratus_bin: Path):
    """compute-2's credentials presented as compute-1: the link is refused, and the control plane logs it."""
    api = json.loads((cluster.data_dir / "compute-2" / "credentials.json").read_text())["auth_url"].removesuffix("/identity/v3")
    with tempfile.TemporaryDirectory(prefix="stratus-impostor-") as work:
        proc = subprocess.Popen(
            [str(stratus_bin), "compute", "--compute-host", "compute-1", "--api-url", api, "--driver", "fake",
             "--credentials", str(cluster.data_dir / "compute-2" / "credentials.json"), "--data-dir", work],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=clean_environ(),
        )
        try:
            deadline = time.monotonic() + 30
            seen = ""
            while "may not link host compute-1" not in seen:
                assert time.monotonic() < deadline, f"the impostor was not refused:\n{seen}"
                seen += proc.stderr.readline()
        finally:
            proc.kill()
            proc.wait()
    assert "compute link: refused: User compute-compute-2 may not link host compute-1" in cluster.log("api-2")


def boot_many(cloud: Cloud, prefix: str, count: int) -> list[str]:
    """Boots `count` servers at once (openstacksdk, ten at a time); the ids of those the API accepted (a request to a
    process that was killed may fail)."""
    image = cloud.api.image.find_image("img", ignore_missing=False)
    flavor = cloud.api.compute.find_flavor("m1.tiny", ignore_missing=False)

    def boot(index: int) -> str | None:
        try:
            return cloud.api.compute.create_server(name=f"{prefix}-{index}", image_id=image.id, flavor_id=flavor.id, networks="none").id
        except Exception:  # noqa: BLE001 - a boot the killed process refused or never answered
            return None

    with concurrent.futures.ThreadPoolExecutor(max_workers=10) as pool:
        futures = [pool.submit(boot, i) for i in range(count)]
        return [f.result() for f in futures if f.result() is not None]


def boot_many_while(cloud: Cloud, cluster: Cluster, prefix: str, count: int, disrupt) -> list[str]:
    """`boot_many`, with `disrupt()` called once the first boots are recorded, while the others are still coming."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        booting = pool.submit(boot_many, cloud, prefix, count)
        deadline = time.monotonic() + 60
        while int(cluster.sql(f"SELECT count(*) FROM instances WHERE record LIKE '%\"{prefix}-%'")) < 5:
            assert time.monotonic() < deadline and not booting.done(), "the boots did not start"
            time.sleep(0.05)
        disrupt()
        return booting.result()


def settle(cloud: Cloud, cluster: Cluster, ids: list[str], deadline: float, final=("ACTIVE", "ERROR")) -> dict[str, str]:
    """Waits until every server is in a `final` status (ERROR with a fault), with no task state; their statuses."""
    end = time.monotonic() + deadline
    while True:
        servers = {s.id: s for s in cloud.api.compute.servers(details=True, all_projects=True)}
        pending = [i for i in ids if i not in servers or servers[i].status not in final or servers[i].task_state]
        if not pending:
            break
        if time.monotonic() >= end:
            states = {i: (servers[i].status, servers[i].task_state) if i in servers else "missing" for i in pending}
            pytest.fail(f"{len(pending)} servers did not settle in {deadline:.0f}s: {states}")
        time.sleep(0.5)
    for i in ids:
        if servers[i].status == "ERROR":
            assert servers[i].fault and servers[i].fault.get("message"), servers[i].to_dict()
    return {i: servers[i].status for i in ids}


def assert_claims_match_instances(cluster: Cluster):
    """Each host's usage is the sum of its claims, every claim is of a live instance placed on that host, and every
    ACTIVE instance holds a claim on its host."""
    for resource in ("vcpus", "memory_mb"):
        wrong = cluster.sql(f"""
            SELECT n.host FROM compute_nodes n LEFT JOIN allocations a ON a.host = n.host
            GROUP BY n.host, n.{resource}_used HAVING n.{resource}_used <> COALESCE(SUM(a.{resource}), 0)""")
        assert wrong == "", f"{resource} usage differs from the claims on: {wrong}"
    leaked = cluster.sql("""
        SELECT a.instance_id FROM allocations a LEFT JOIN instances i ON i.id = a.instance_id
        WHERE i.id IS NULL OR i.deleted OR i.host IS DISTINCT FROM a.host""")
    assert leaked == "", f"claims of no live instance on their host: {leaked}"
    unclaimed = cluster.sql("""
        SELECT i.id FROM instances i LEFT JOIN allocations a ON a.instance_id = i.id AND a.host = i.host
        WHERE NOT i.deleted AND i.vm_state = 'active' AND a.instance_id IS NULL""")
    assert unclaimed == "", f"ACTIVE instances without a claim on their host: {unclaimed}"


@pytest.mark.parametrize("victim", ["conductor-1", "scheduler-1", "api-1", "compute-2"])
def test_kill_9_during_fifty_boots(cloud: Cloud, cluster: Cluster, victim: str):
    """50 boots at once (through api-1); `victim` is killed (SIGKILL) while they are under way, then started again.
    Every server the API accepted ends ACTIVE, or ERROR with a fault, in no task state; no claim leaks; no message is
    left on the bus."""
    cloud.ok("quota", "set", "--instances", "1000", "--cores", "1000", "--ram", "1000000", "admin")
    ids = boot_many_while(cloud, cluster, victim, 50, lambda: os.kill(cluster.pid(victim), signal.SIGKILL))
    cluster.script("restart", str(cluster.data_dir), victim)
    if victim != "api-1":
        assert len(ids) == 50, "a process other than the API the boots go to was killed, yet some boots failed"
    # The fake hypervisor's guests die with their host: those it had started are found shut off when it is back.
    final = ("ACTIVE", "ERROR", "SHUTOFF") if victim.startswith("compute-") else ("ACTIVE", "ERROR")
    statuses = settle(cloud, cluster, ids, deadline=120, final=final)
    assert list(statuses.values()).count("ACTIVE") > 0, statuses
    shut_off = {cloud.api.compute.get_server(i).compute_host for i, status in statuses.items() if status == "SHUTOFF"}
    assert shut_off <= {victim}, shut_off
    assert_claims_match_instances(cluster)
    deadline = time.monotonic() + 30
    while (left := cluster.sql("SELECT count(*) FROM messages WHERE topic NOT LIKE 'reply.%'")) != "0":
        assert time.monotonic() < deadline, f"{left} messages still on the bus"
        time.sleep(0.5)
    for server in ids:
        cloud.api.compute.delete_server(server)


def test_postgres_restarted_during_boots(cloud: Cloud, cluster: Cluster):
    """PostgreSQL restarts (every connection cut) while 30 servers boot: the services reconnect and carry on."""
    ids = boot_many_while(cloud, cluster, "pg-restart", 30, cluster.restart_postgres)
    # Boots that reached the API while the database was down were refused (503); the others all settle.
    assert ids, "no boot was accepted"
    statuses = settle(cloud, cluster, ids, deadline=120)
    assert list(statuses.values()).count("ACTIVE") > 0, statuses
    assert_claims_match_instances(cluster)
    for server in ids:
        cloud.api.compute.delete_server(server)
    for name in ["api-1", "api-2", "conductor-1", "conductor-2", "scheduler-1", "scheduler-2", *HOSTS]:
        assert os.path.exists(f"/proc/{cluster.pid(name)}"), f"{name} died when PostgreSQL restarted:\n{cluster.log(name)[-3000:]}"


def test_a_host_cut_off_the_network_is_down_avoided_and_catches_up(cloud: Cloud, cluster: Cluster):
    """compute-3's link goes down: it shows down once its reports stop, the scheduler places no server on it, and a
    stop sent to one of its servers meanwhile waits on the bus until the host is back."""
    if (cluster.data_dir / "network").read_text().strip() != "netns":
        why = cluster.data_dir / "logs" / "network.log"
        pytest.skip("the compute hosts have no network namespaces of their own: "
                    + (why.read_text(errors="replace").strip()[-200:] if why.exists() else "the cluster does not run as root"))
    shown = cloud.json("--os-compute-api-version", "2.74", "server", "create", "--flavor", "m1.tiny", "--image", "img",
                       "--no-network", "--host", "compute-3", "--wait", "before-the-cut")
    assert shown["OS-EXT-SRV-ATTR:host"] == "compute-3"
    cluster.script("link", str(cluster.data_dir), "compute-3", "down")
    try:
        deadline = time.monotonic() + 60
        while next(s for s in cloud.api.compute.services() if s.host == "compute-3").state != "down":
            assert time.monotonic() < deadline, "compute-3 did not go down"
            time.sleep(0.5)
        cloud.ok("server", "stop", "before-the-cut")
        ids = boot_many(cloud, "while-cut", 6)
        settle(cloud, cluster, ids, deadline=60)
        hosts = {cloud.api.compute.get_server(i).compute_host for i in ids}
        assert "compute-3" not in hosts, hosts
        assert cloud.api.compute.find_server("before-the-cut").status == "ACTIVE"
    finally:
        cluster.script("link", str(cluster.data_dir), "compute-3", "up")
    cloud.wait_for("server", "before-the-cut", "SHUTOFF", 90)
    deadline = time.monotonic() + 60
    while next(s for s in cloud.api.compute.services() if s.host == "compute-3").state != "up":
        assert time.monotonic() < deadline, "compute-3 did not come back up"
        time.sleep(0.5)
    for server in [*ids, cloud.api.compute.find_server("before-the-cut").id]:
        cloud.api.compute.delete_server(server)


def test_the_servers_of_a_dead_host_are_evacuated(cloud: Cloud, cluster: Cluster):
    """compute-3 dies (kill -9): once it shows down, `server evacuate` rebuilds its server on compute-1, same id and
    name; started again, compute-3 lets go of the evacuated server (its claim there goes)."""
    shown = cloud.json("--os-compute-api-version", "2.74", "server", "create", "--flavor", "m1.tiny", "--image", "img",
                       "--no-network", "--host", "compute-3", "--wait", "evacuee")
    assert shown["OS-EXT-SRV-ATTR:host"] == "compute-3"
    refused = cloud.run("--os-compute-api-version", "2.29", "server", "evacuate", "--host", "compute-1", "evacuee")
    assert refused.returncode != 0 and "is still in use" in refused.stderr, refused.describe()
    os.kill(cluster.pid("compute-3"), signal.SIGKILL)
    try:
        deadline = time.monotonic() + 60
        while next(s for s in cloud.api.compute.services() if s.host == "compute-3").state != "down":
            assert time.monotonic() < deadline, "compute-3 did not go down"
            time.sleep(0.5)
        # Not --wait: this openstackclient waits for "ACTIVE" among lower-cased statuses, which never matches.
        cloud.ok("--os-compute-api-version", "2.29", "server", "evacuate", "--host", "compute-1", "evacuee")
        cloud.wait_for("server", "evacuee", "ACTIVE", 60)
        after = cloud.json("server", "show", "evacuee")
        assert (after["id"], after["OS-EXT-SRV-ATTR:host"], after["status"]) == (shown["id"], "compute-1", "ACTIVE"), after
    finally:
        cluster.script("restart", str(cluster.data_dir), "compute-3")
    # The evacuation's migration held the server's claim on compute-3 (its uuid is the consumer) until compute-3 let go.
    kept = f"""SELECT a.host FROM allocations a JOIN migrations m ON a.instance_id = m.uuid WHERE m.instance_id = '{shown["id"]}'"""
    deadline = time.monotonic() + 60
    while cluster.sql(kept) != "":
        assert time.monotonic() < deadline, "compute-3 kept the claim of the server evacuated from it"
        time.sleep(0.5)
    assert cluster.sql(f"SELECT host FROM allocations WHERE instance_id = '{shown['id']}'") == "compute-1"
    cloud.ok("server", "delete", "--wait", "evacuee")


def test_a_real_guest_on_a_compute_host_of_its_own(stratus_bin: Path, openstack_cli):
    """A second cluster whose compute-1 and compute-2 run QEMU (TCG): the test guest boots on compute-1 through the
    CLI, reaches the metadata service through its host's relay and the API (signed with the secret of the host's
    credentials file), shows its console log and a noVNC URL; a volume is attached (the guest writes its marker on it);
    it live-migrates to compute-2 over the hosts' network and runs on there without booting again, its serial console
    answering and the volume read there; stopped, it cold-migrates back to compute-1 (server migrate, resize confirm)
    and starts there, finding the marker on its volume; it is deleted with its QEMU and the volume is available again."""
    # Volumes are files (the default) in the API's data directory, which the hosts share (the same machine).
    with cluster_up(stratus_bin, STRATUS_CLUSTER_DRIVER="qemu", STRATUS_CLUSTER_ARGS="--message-lease 6 --service-down-time 10") as cluster:
        cloud = Cloud(cluster, openstack_cli)
        cloud.ok("flavor", "create", "--ram", "128", "--vcpus", "1", "--disk", "1", "guest")
        cloud.ok("image", "create", "--file", build_guest_image(), "--disk-format", "qcow2", "--container-format", "bare", "guest")
        shown = cloud.json("--os-compute-api-version", "2.74", "server", "create", "--flavor", "guest", "--image", "guest",
                           "--no-network", "--host", "compute-1", "--wait", "real")
        assert shown["OS-EXT-SRV-ATTR:host"] == "compute-1", shown
        log = wait_console(cloud, "real", "STRATUS TEST GUEST READY")
        assert "STRATUS TEST GUEST: metadata service" in log and "hostname: " in log, log[-3000:]
        url = urllib.parse.unquote(cloud.json("console", "url", "show", "--novnc", "real")["url"])
        assert "token=" in url, url
        check_console_proxy_on_the_host(cluster, stratus_bin, token=url.split("token=", 1)[1])
        source_qemu = next((cluster.data_dir / "compute-1" / "instances").glob("*/pid")).read_text().strip()
        cloud.ok("volume", "create", "--size", "1", "data")
        cloud.wait_for("volume", "data", "available", 60)
        cloud.ok("server", "add", "volume", "real", "data")
        wait_console(cloud, "real", f"vdb wrote STRATUS-DATA {shown['id']}")

        cloud.ok("--os-compute-api-version", "2.30", "server", "migrate", "--live-migration", "--host", "compute-2", "--wait", "real")
        shown = cloud.json("server", "show", "real")
        assert (shown["OS-EXT-SRV-ATTR:host"], shown["status"], shown["OS-EXT-STS:power_state"]) == ("compute-2", "ACTIVE", 1), shown
        assert not os.path.exists(f"/proc/{source_qemu}"), "the guest's QEMU stayed on compute-1"
        migrations = cloud.json("--os-compute-api-version", "2.23", "server", "migration", "list", "--server", "real")
        assert [(m["Type"], m["Status"], m["Source Compute"], m["Dest Compute"]) for m in migrations] == [
            ("live-migration", "completed", "compute-1", "compute-2")], migrations
        serial = urllib.parse.unquote(cloud.json("console", "url", "show", "--serial", "real")["url"]).split("token=", 1)[1]
        check_serial_console_on_the_host(cluster, stratus_bin, "compute-2", serial,
                                         "echo migrated-$((6*7)) $(dd if=/dev/vdb bs=512 count=1 iflag=direct 2>/dev/null | head -n 1)",
                                         f"migrated-42 STRATUS-DATA {shown['id']}")
        assert "Linux version" not in cloud.ok("console", "log", "show", "real").stdout, "the guest booted again on compute-2"

        # Cold, back to compute-1: stopped, migrated (VERIFY_RESIZE), confirmed; compute-2 keeps nothing of it.
        cloud.ok("server", "stop", "real")
        cloud.wait_for("server", "real", "SHUTOFF", 60)
        cloud.ok("--os-compute-api-version", "2.56", "server", "migrate", "--host", "compute-1", "--wait", "real")
        assert cloud.json("server", "show", "real")["status"] == "VERIFY_RESIZE"
        cloud.ok("server", "resize", "confirm", "real")
        cloud.wait_for("server", "real", "SHUTOFF", 60)
        assert cloud.json("server", "show", "real")["OS-EXT-SRV-ATTR:host"] == "compute-1"
        assert not list((cluster.data_dir / "compute-2" / "instances").iterdir()), "compute-2 kept the guest it sent"
        cloud.ok("server", "start", "real")
        cloud.wait_for("server", "real", "ACTIVE", 60)
        wait_console(cloud, "real", f"vdb holds STRATUS-DATA {shown['id']}")
        qemu = next((cluster.data_dir / "compute-1" / "instances").glob("*/pid")).read_text().strip()
        cloud.ok("server", "delete", "--wait", "real")
        assert not os.path.exists(f"/proc/{qemu}"), "the guest's QEMU outlived its server"
        cloud.wait_for("volume", "data", "available", 60)


@contextlib.contextmanager
def console_proxy_on(cluster: Cluster, stratus_bin: Path, host: str):
    """`stratus novncproxy` on `host` with no database (its service user's credentials, the control plane's URL): the
    conductor tells it, over the host's link, what a token opens. Yields its ws:// base URL."""
    credentials = cluster.data_dir / host / "credentials.json"
    api = json.loads(credentials.read_text())["auth_url"].removesuffix("/identity/v3")
    proxy = subprocess.Popen(
        ["bash", str(REPO / "scripts/cluster.sh"), "exec", str(cluster.data_dir), host, "sh", "-c",
         'exec "$0" novncproxy --host "$STRATUS_CLUSTER_ADDRESS" --port 0 --api-url "$1" --credentials "$2" --compute-host "$3"',
         str(stratus_bin), api, str(credentials), host],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=clean_environ(),
    )
    try:
        ready = proxy.stdout.readline()
        base = re.search(r"http://[0-9.]+:[0-9]+", ready)
        assert base, f"no ready line: {ready!r}\n{proxy.stderr.read() if proxy.poll() is not None else ''}"
        yield base.group(0).replace("http://", "ws://")
    finally:
        proxy.kill()
        proxy.wait()


def check_console_proxy_on_the_host(cluster: Cluster, stratus_bin: Path, token: str):
    """The guest's VNC server answers through the proxy on compute-1, once per token."""
    with console_proxy_on(cluster, stratus_bin, "compute-1") as base:
        socket_url = f"{base}/vnc?token={token}"
        with connect(socket_url, open_timeout=30) as ws:
            assert ws.recv(timeout=30) == b"RFB 003.008\n"
        with connect(socket_url, open_timeout=30) as ws:
            with pytest.raises(ConnectionClosed) as refused:
                ws.recv(timeout=30)
        assert refused.value.rcvd.code == 1008 and "invalid, used or expired" in refused.value.rcvd.reason, refused.value


def check_serial_console_on_the_host(cluster: Cluster, stratus_bin: Path, host: str, token: str, command: str, answer: str):
    """The guest's shell on its serial port answers `command`, typed through the proxy on `host`, with `answer` (which
    differs from the command, which the console echoes)."""
    with console_proxy_on(cluster, stratus_bin, host) as base:
        with connect(f"{base}/serial?token={token}", open_timeout=30) as ws:
            ws.send(f"\n{command}\n".encode())
            received, deadline = b"", time.monotonic() + 60
            while answer.encode() not in received:
                assert time.monotonic() < deadline, f"the guest did not answer on its serial console: {received[-500:]!r}"
                message = ws.recv(timeout=60)
                received += message if isinstance(message, bytes) else message.encode()
