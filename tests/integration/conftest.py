"""Fixtures for the integration tests: a real `stratus all-in-one` process driven by the real
`openstack` CLI.

Environment variables read here:
  STRATUS_BIN            the stratus binary (default .build/debug/stratus; relative paths are taken
                         relative to the repository root)
  STRATUS_OPENSTACK_CLI  the openstack CLI (default .venv/bin/openstack under the repository root)
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
import os
import queue
import secrets
import shlex
import signal
import socket
import subprocess
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
    def __init__(self, argv: list[str], env_note: str, proc: subprocess.CompletedProcess):
        self.argv = argv
        self.env_note = env_note
        self.returncode = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr

    def describe(self) -> str:
        return (
            f"command: {shlex.join(self.argv)}\n"
            f"env: {self.env_note}\n"
            f"exit status: {self.returncode}\n"
            f"--- stdout ---\n{self.stdout}\n--- stderr ---\n{self.stderr}"
        )


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

    def __init__(self, server: Server, cli: Path):
        self.server = server
        self.cli = cli
        self.state: dict = {}  # shared between the ordered tests

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
        argv = [str(self.cli), *args]
        shown = {k: ("***" if "PASSWORD" in k else v) for k, v in {**os_env, **(extra_env or {})}.items()}
        try:
            proc = subprocess.run(
                argv, env=env, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
            )
        except subprocess.TimeoutExpired as e:
            pytest.fail(f"command timed out after {timeout:.0f}s: {shlex.join(argv)}\nenv: {shown}\n"
                        f"stdout: {e.stdout}\nstderr: {e.stderr}")
        return CLIResult(argv, " ".join(f"{k}={v}" for k, v in sorted(shown.items())), proc)

    def ok(self, *args: str, **kw) -> CLIResult:
        r = self.run(*args, **kw)
        assert r.returncode == 0, f"expected success\n{r.describe()}"
        return r

    def fails(self, *args: str, **kw) -> CLIResult:
        r = self.run(*args, **kw)
        assert r.returncode != 0, f"expected a non-zero exit status\n{r.describe()}"
        return r

    def wait_shown(self, kind: list[str], name: str, status: str, deadline: float) -> dict:
        """`openstack KIND show NAME` once its status is `status`; fails on an error status or at the deadline."""
        end = time.monotonic() + deadline
        while True:
            shown = self.json(*kind, "show", name)
            if shown["status"] == status:
                return shown
            assert not shown["status"].startswith("error"), f"{name} went to {shown['status']}: {shown}"
            assert time.monotonic() < end, f"{name} is still {shown['status']}, not {status}"
            time.sleep(0.2)

    def json(self, *args: str, **kw):
        import json

        r = self.ok(*args, "-f", "json", **kw)
        try:
            return json.loads(r.stdout)
        except ValueError as e:
            pytest.fail(f"output is not JSON ({e})\n{r.describe()}")


@pytest.fixture(scope="session")
def stratus_bin() -> Path:
    binary = _repo_path(os.environ.get("STRATUS_BIN", ".build/debug/stratus"))
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        pytest.fail(f"stratus binary {binary} missing; build it (swift build --product stratus) or set STRATUS_BIN")
    return binary


@pytest.fixture(scope="session")
def openstack_cli() -> Path:
    cli = _repo_path(os.environ.get("STRATUS_OPENSTACK_CLI", ".venv/bin/openstack"))
    if not (cli.is_file() and os.access(cli, os.X_OK)):
        pytest.fail(f"openstack CLI {cli} missing; run scripts/install-test-deps.sh")
    return cli


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
    with running_server(stratus_bin, tmp_path_factory.mktemp("stratus"), _artifacts()) as srv:
        yield srv


@pytest.fixture(scope="module")
def module_server(stratus_bin: Path, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest):
    """A server of the requesting test module's own (logs in ARTIFACTS/<module name>/), for tests
    that should not share state with, or be restarted by, the session `server`. A module may set
    STRATUS_SERVER_ARGS (a sequence of strings, e.g. ("--fake-hosts", "3")) for its server's command line."""
    name = request.module.__name__.rsplit(".", 1)[-1]
    extra = tuple(getattr(request.module, "STRATUS_SERVER_ARGS", ()))
    # A short data directory: a QEMU guest's QMP socket path under it must fit in 107 bytes.
    with running_server(stratus_bin, tmp_path_factory.mktemp("m"), _artifacts() / name, extra) as srv:
        yield srv


@pytest.fixture(scope="session")
def cloud(server: Server, openstack_cli: Path) -> Cloud:
    return Cloud(server, openstack_cli)


@pytest.fixture(scope="module")
def module_cloud(module_server: Server, openstack_cli: Path) -> Cloud:
    """The CLI against `module_server`."""
    return Cloud(module_server, openstack_cli)
