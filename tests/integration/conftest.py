"""Fixtures for the integration tests: a real `stratus all-in-one` process driven by the real
`openstack` CLI.

Environment variables read here:
  STRATUS_BIN            the stratus binary (default .build/debug/stratus; relative paths are taken
                         relative to the repository root)
  STRATUS_OPENSTACK_CLI  the openstack CLI (default .venv/bin/openstack under the repository root); its
                         virtualenv's python runs cli_zygote.py, which starts each call of it
  STRATUS_TEST_SERVER_ARGS
                         extra arguments appended to `stratus all-in-one ...` (shlex-split), e.g.
                         "--token-lifetime 600"; default none. They come after a module's own
                         STRATUS_SERVER_ARGS (see `module_server`). Servers get `--driver fake` unless
                         either names a `--driver`.
  STRATUS_TEST_ARTIFACTS directory for server logs (default .test-artifacts/integration under the
                         repository root)
All OS_* variables and STRATUS_ADMIN_PASSWORD of the calling environment are ignored.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import secrets
import shlex
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

READY_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
CLI_TIMEOUT = 120.0


def _repo_path(value: str) -> Path:
    p = Path(value)
    return p if p.is_absolute() else REPO / p


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_environ() -> dict[str, str]:
    """The calling environment without anything that would steer the CLI or the server."""
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("OS_") and k != "STRATUS_ADMIN_PASSWORD"
    }


def tail(path: Path, lines: int = 60) -> str:
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return f"<{path} missing>"
    return "\n".join(text.splitlines()[-lines:])


class CLIResult:
    def __init__(self, argv: list[str], env_note: str, returncode: int, stdout: str, stderr: str):
        self.argv = argv
        self.env_note = env_note
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr

    def describe(self) -> str:
        return (
            f"command: {shlex.join(self.argv)}\n"
            f"env: {self.env_note}\n"
            f"exit status: {self.returncode}\n"
            f"--- stdout ---\n{self.stdout}\n--- stderr ---\n{self.stderr}"
        )


class OpenStackCLI:
    """The real `openstack` CLI, each call its own process forked by cli_zygote.py (see there) from a
    process that has the CLI's modules imported already."""

    ZYGOTE = Path(__file__).with_name("cli_zygote.py")

    def __init__(self, script: Path):
        self.script = script
        self._dir = tempfile.mkdtemp(prefix="osc-")
        self.socket_path = os.path.join(self._dir, "cli.sock")
        self.proc = subprocess.Popen(
            [str(script.parent / "python"), str(self.ZYGOTE), str(script), self.socket_path],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=clean_environ(), start_new_session=True,
        )
        ready = self.proc.stdout.readline()
        if ready.strip() != b"ready":
            self.close()
            pytest.fail(f"{self.ZYGOTE.name} did not start (it printed {ready!r}) with {script.parent / 'python'}")

    def run(self, args: list[str], env: dict[str, str], timeout: float) -> tuple[int, str, str]:
        """`openstack ARGS` with exactly `env` as its environment and no stdin: (exit status, stdout, stderr).
        A call that outlives `timeout` is killed and raises subprocess.TimeoutExpired."""
        request = json.dumps({"argv": list(args), "env": env, "cwd": os.getcwd()}).encode()
        with (
            tempfile.TemporaryFile() as out,
            tempfile.TemporaryFile() as err,
            open(os.devnull, "rb") as null,
            socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as conn,
        ):
            conn.settimeout(30)
            conn.connect(self.socket_path)
            socket.send_fds(conn, [request], [null.fileno(), out.fileno(), err.fileno()])
            (pid,) = struct.unpack("!i", conn.recv(4))
            conn.settimeout(timeout)
            try:
                status = conn.recv(4)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
                raise subprocess.TimeoutExpired(args, timeout, _read(out), _read(err)) from None
            # No status: the child died without reporting (killed by a signal).
            returncode = struct.unpack("!i", status)[0] if len(status) == 4 else -1
            return returncode, _read(out), _read(err)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        with contextlib.suppress(OSError):
            os.unlink(self.socket_path)
            os.rmdir(self._dir)


def _read(f) -> str:
    f.seek(0)
    return f.read().decode("utf-8", errors="replace")


class Server:
    """One `stratus all-in-one` process at a time on a fixed data dir and port."""

    def __init__(
        self, binary: Path, data_dir: Path, port: int, admin_password: str, logs: Path, extra_args: tuple[str, ...] = ()
    ):
        self.binary = binary
        self.extra_args = tuple(extra_args)
        self.data_dir = data_dir
        self.port = port
        self.admin_password = admin_password
        self.logs = logs
        self.starts = 0
        self.proc: subprocess.Popen | None = None
        self._reader: threading.Thread | None = None
        self.log_files: list[Path] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ready_line(self) -> str:
        return f"stratus ready: {self.base_url}/identity/v3"

    def argv(self) -> list[str]:
        extra = [*self.extra_args, *shlex.split(os.environ.get("STRATUS_TEST_SERVER_ARGS", ""))]
        # The fake driver unless the module or the environment names one (the binary's own default is qemu
        # wherever QEMU is installed).
        driver = [] if "--driver" in extra else ["--driver", "fake"]
        return [
            str(self.binary), "all-in-one",
            "--data-dir", str(self.data_dir),
            "--host", "127.0.0.1",
            "--port", str(self.port),
            *driver,
            *extra,
        ]

    def start(self, with_admin_password: bool = True) -> None:
        assert self.proc is None, "server already running"
        self.starts += 1
        env = clean_environ()
        if with_admin_password:
            env["STRATUS_ADMIN_PASSWORD"] = self.admin_password
        out_path = self.logs / f"server-{self.starts}.stdout.log"
        err_path = self.logs / f"server-{self.starts}.stderr.log"
        self.log_files += [out_path, err_path]
        err = open(err_path, "wb")
        try:
            self.proc = subprocess.Popen(
                self.argv(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=err,
                env=env,
                cwd=str(self.data_dir.parent),
                start_new_session=True,
            )
        finally:
            err.close()

        lines: queue.Queue[str | None] = queue.Queue()
        proc = self.proc

        def pump() -> None:
            # Copies stdout to the log file (so the pipe never fills up) and hands each line to
            # the waiter; None marks end of stream.
            with open(out_path, "w", encoding="utf-8", errors="replace") as out:
                for raw in proc.stdout:
                    line = raw.decode("utf-8", errors="replace")
                    out.write(line)
                    out.flush()
                    lines.put(line.rstrip("\r\n"))
            lines.put(None)

        self._reader = threading.Thread(target=pump, name=f"stratus-stdout-{self.starts}", daemon=True)
        self._reader.start()

        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.kill()
                pytest.fail(
                    f"stratus did not print {self.ready_line!r} within {READY_TIMEOUT:.0f}s\n"
                    f"command: {shlex.join(self.argv())}\n{self.log_report()}"
                )
            try:
                line = lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                rc = proc.wait(timeout=STOP_TIMEOUT)
                self.proc = None
                pytest.fail(
                    f"stratus exited with status {rc} before it was ready\n"
                    f"command: {shlex.join(self.argv())}\n{self.log_report()}"
                )
            if line.strip() == self.ready_line:
                return

    def stop(self) -> int:
        """SIGTERM, then require exit status 0 within STOP_TIMEOUT seconds."""
        proc = self.proc
        assert proc is not None, "server not running"
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(
                f"stratus did not exit within {STOP_TIMEOUT:.0f}s of SIGTERM\n{self.log_report()}"
            )
        self._join_reader()
        self.proc = None
        assert rc == 0, f"stratus exited with status {rc} after SIGTERM\n{self.log_report()}"
        return rc

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._join_reader()
        self.proc = None

    def _join_reader(self) -> None:
        if self._reader is not None:
            self._reader.join(timeout=5)
            self._reader = None

    def log_report(self) -> str:
        parts = []
        for p in self.log_files:
            parts.append(f"--- {p} (tail) ---\n{tail(p)}")
        return "\n".join(parts)

    def logs_text(self) -> str:
        return "\n".join(
            p.read_text(errors="replace") for p in self.log_files if p.exists()
        )


class Cloud:
    """Runs the real openstack CLI against the server."""

    def __init__(self, server: Server, cli: OpenStackCLI):
        self.server = server
        self.cli = cli
        self.state: dict = {}  # shared between the ordered tests
        self._api = None

    @property
    def data_dir(self) -> Path:
        return self.server.data_dir

    def openrc_env(self) -> dict[str, str]:
        """OS_* variables obtained by sourcing DATA/admin-openrc.sh in a clean bash."""
        openrc = self.data_dir / "admin-openrc.sh"
        proc = subprocess.run(
            ["bash", "-c", 'source "$1" >/dev/null && env -0', "bash", str(openrc)],
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/root")},
            capture_output=True,
            timeout=30,
        )
        assert proc.returncode == 0, (
            f"sourcing {openrc} failed ({proc.returncode}): {proc.stderr.decode(errors='replace')}"
        )
        env = {}
        for item in proc.stdout.split(b"\0"):
            if b"=" not in item:
                continue
            k, v = item.decode(errors="replace").split("=", 1)
            if k.startswith("OS_"):
                env[k] = v
        return env

    def user_env(self, username: str, password: str, project: str) -> dict[str, str]:
        """The admin openrc with `username`/`password` (domain Default) scoped to `project` instead."""
        env = self.openrc_env()
        env.update(
            OS_USERNAME=username,
            OS_PASSWORD=password,
            OS_PROJECT_NAME=project,
            OS_USER_DOMAIN_NAME="Default",
            OS_PROJECT_DOMAIN_NAME="Default",
        )
        for key in ("OS_PROJECT_ID", "OS_USER_ID", "OS_TENANT_NAME", "OS_TENANT_ID", "OS_CLOUD"):
            env.pop(key, None)
        return env

    def run(
        self,
        *args: str,
        os_env: dict[str, str] | None = None,
        extra_env: dict[str, str] | None = None,
        timeout: float = CLI_TIMEOUT,
    ) -> CLIResult:
        """Run `openstack ARGS` with os_env (default: the admin openrc) as its only OS_* vars."""
        if os_env is None:
            os_env = self.openrc_env()
        env = clean_environ()
        env.update(os_env)
        if extra_env:
            env.update(extra_env)
        argv = [str(self.cli.script), *args]
        shown = {k: ("***" if "PASSWORD" in k else v) for k, v in {**os_env, **(extra_env or {})}.items()}
        try:
            returncode, stdout, stderr = self.cli.run(list(args), env, timeout)
        except subprocess.TimeoutExpired as e:
            pytest.fail(f"command timed out after {timeout:.0f}s: {shlex.join(argv)}\nenv: {shown}\n"
                        f"stdout: {e.stdout}\nstderr: {e.stderr}")
        return CLIResult(argv, " ".join(f"{k}={v}" for k, v in sorted(shown.items())), returncode, stdout, stderr)

    def ok(self, *args: str, **kw) -> CLIResult:
        r = self.run(*args, **kw)
        assert r.returncode == 0, f"expected success\n{r.describe()}"
        return r

    def fails(self, *args: str, **kw) -> CLIResult:
        r = self.run(*args, **kw)
        assert r.returncode != 0, f"expected a non-zero exit status\n{r.describe()}"
        return r

    # --- waiting: polls go through openstacksdk ----------------------------------------------------------------

    @property
    def api(self):
        """openstacksdk in this process, as the admin of the openrc, with one token for all its calls (a new
        connection after each start of the server). The waits poll through it: a poll proves nothing that the
        CLI calls around it do not, and costs milliseconds instead of a CLI process."""
        if self._api is None or self._api[0] != self.server.starts:
            import openstack

            env = self.openrc_env()
            conn = openstack.connect(
                auth_url=env["OS_AUTH_URL"],
                username=env["OS_USERNAME"],
                password=env["OS_PASSWORD"],
                project_name=env["OS_PROJECT_NAME"],
                user_domain_name=env["OS_USER_DOMAIN_NAME"],
                project_domain_name=env["OS_PROJECT_DOMAIN_NAME"],
                region_name=env.get("OS_REGION_NAME"),
                identity_api_version="3",
                load_envvars=False,
                load_yaml_config=False,
            )
            self._api = (self.server.starts, conn)
        return self._api[1]

    def wait_for(self, kind: str, ref: str, status: str, deadline: float):
        """The `kind` ("server", "volume" or "snapshot") named or numbered `ref`, as openstacksdk reads it, once its
        status is `status`; fails when it goes to an error status it was not waited for, or at the deadline."""
        proxy, noun = (self.api.compute, "server") if kind == "server" else (self.api.block_storage, kind)
        get = getattr(proxy, f"get_{noun}")
        resource_id = getattr(proxy, f"find_{noun}")(ref, ignore_missing=False).id
        end = time.monotonic() + deadline
        seen: list[str] = []
        while True:
            current = get(resource_id)
            if not seen or seen[-1] != current.status:
                seen.append(current.status)
            if current.status == status:
                return current
            if current.status.lower().startswith("error") and not status.lower().startswith("error"):
                pytest.fail(f"{kind} {ref} went to {current.status} waiting for {status}: {current.to_dict()}")
            if time.monotonic() >= end:
                pytest.fail(f"{kind} {ref} is not {status} after {deadline:.0f}s (statuses seen: {seen})")
            time.sleep(0.2)

    def wait_shown(self, kind: list[str], name: str, status: str, deadline: float) -> dict:
        """`openstack KIND show NAME` once its status is `status` (see `wait_for`); KIND is ["server"], ["volume"]
        or ["volume", "snapshot"]."""
        self.wait_for(kind[-1], name, status, deadline)
        return self.json(*kind, "show", name)

    def console_output(self, ref: str) -> str:
        """The server's console log, as `openstack console log show` prints it, read through openstacksdk."""
        server = self.api.compute.find_server(ref, ignore_missing=False)
        return self.api.compute.get_server_console_output(server.id)["output"]

    def json(self, *args: str, **kw):
        import json

        r = self.ok(*args, "-f", "json", **kw)
        try:
            return json.loads(r.stdout)
        except ValueError as e:
            pytest.fail(f"output is not JSON ({e})\n{r.describe()}")


def _boots_qemu_guests(module) -> bool:
    """Whether the module's server runs the QEMU driver (STRATUS_SERVER_ARGS names `--driver qemu`)."""
    args = list(getattr(module, "STRATUS_SERVER_ARGS", ()))
    return ("--driver", "qemu") in zip(args, args[1:])


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "qemu: runs real QEMU guests (`-m 'not qemu'` leaves them out)")
    # openstacksdk warns about its own deprecations on each call (`Cloud.api`); they say nothing about Stratus.
    config.addinivalue_line("filterwarnings", "ignore::openstack.warnings._RemovedInSDKWarning")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """For pytest-xdist's `--dist loadgroup`: each module is one group, since its tests share one server and run
    in file order; the modules with QEMU guests are one group together, so that only one TCG guest boots at a
    time, and they come first, as the longest group. Their tests are also marked `qemu`."""
    for item in items:
        if _boots_qemu_guests(item.module):
            item.add_marker(pytest.mark.qemu)
            item.add_marker(pytest.mark.xdist_group("qemu"))
        else:
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))
    items.sort(key=lambda item: not _boots_qemu_guests(item.module))


@pytest.fixture(scope="session")
def stratus_bin() -> Path:
    binary = _repo_path(os.environ.get("STRATUS_BIN", ".build/debug/stratus"))
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        pytest.fail(f"stratus binary {binary} missing; build it (swift build --product stratus) or set STRATUS_BIN")
    return binary


@pytest.fixture(scope="session")
def openstack_cli() -> Iterator[OpenStackCLI]:
    cli = _repo_path(os.environ.get("STRATUS_OPENSTACK_CLI", ".venv/bin/openstack"))
    if not (cli.is_file() and os.access(cli, os.X_OK)):
        pytest.fail(f"openstack CLI {cli} missing; run scripts/install-test-deps.sh")
    runner = OpenStackCLI(cli)
    yield runner
    runner.close()


@contextlib.contextmanager
def running_server(binary: Path, base: Path, logs: Path, extra_args: tuple[str, ...] = ()) -> Iterator[Server]:
    """A started server on a fresh data dir under `base` and a free port, logging into `logs`, with
    `extra_args` after the usual ones; stopped (SIGTERM, status 0) afterwards, and the admin password
    must not appear in its output."""
    data_dir = base / "data"  # does not exist yet: the first start creates it
    logs.mkdir(parents=True, exist_ok=True)
    for old in logs.glob("server-*.log"):
        old.unlink()
    srv = Server(
        binary=binary,
        data_dir=data_dir,
        port=free_port(),
        admin_password="adm-" + secrets.token_hex(12),
        logs=logs,
        extra_args=extra_args,
    )
    srv.start()
    try:
        yield srv
    finally:
        if srv.proc is not None:
            if srv.proc.poll() is None:
                srv.stop()
            else:
                rc = srv.proc.returncode
                srv.kill()
                pytest.fail(f"stratus died during the tests with status {rc}\n{srv.log_report()}")
        leaked = srv.admin_password in srv.logs_text()
        assert not leaked, f"the admin password appears in the server output ({', '.join(map(str, srv.log_files))})"


def _artifacts() -> Path:
    return _repo_path(os.environ.get("STRATUS_TEST_ARTIFACTS", ".test-artifacts/integration"))


@pytest.fixture(scope="session")
def server(stratus_bin: Path, tmp_path_factory: pytest.TempPathFactory):
    """The server of the modules that use no server of their own; one per pytest-xdist worker (logs in
    ARTIFACTS/session-<worker>/)."""
    logs = _artifacts() / f"session-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    with running_server(stratus_bin, tmp_path_factory.mktemp("stratus"), logs) as srv:
        yield srv


@pytest.fixture(scope="module")
def module_server(stratus_bin: Path, request: pytest.FixtureRequest):
    """A server of the requesting test module's own (logs in ARTIFACTS/<module name>/), for tests
    that should not share state with, or be restarted by, the session `server`. A module may set
    STRATUS_SERVER_ARGS (a sequence of strings, e.g. ("--fake-hosts", "3")) for its server's command line."""
    name = request.module.__name__.rsplit(".", 1)[-1]
    extra = tuple(getattr(request.module, "STRATUS_SERVER_ARGS", ()))
    # A short data directory, not under pytest's (longer under xdist): a QEMU guest's socket paths under it must
    # fit in 107 bytes.
    base = Path(tempfile.mkdtemp(prefix="stratus-"))
    try:
        with running_server(stratus_bin, base, _artifacts() / name, extra) as srv:
            yield srv
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def cloud(server: Server, openstack_cli: OpenStackCLI) -> Cloud:
    return Cloud(server, openstack_cli)


@pytest.fixture(scope="module")
def module_cloud(module_server: Server, openstack_cli: OpenStackCLI) -> Cloud:
    """The CLI against `module_server`."""
    return Cloud(module_server, openstack_cli)
