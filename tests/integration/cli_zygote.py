"""A fork server for the real `openstack` CLI, so that a test's CLI call costs what the command does and not
the second of Python imports that starts the CLI (a call took 0.3 s this way and 1.1 to 1.4 s as a new process).

It runs in the CLI's own virtualenv (`.venv/bin/python cli_zygote.py .venv/bin/openstack SOCKET`), takes the
script's path as its argv[0] (the CLI names itself after it when it is imported), imports python-openstackclient
and every command module its entry points name, then listens on a SOCK_SEQPACKET unix socket. Each request is
one message, JSON {"argv": [...], "env": {...}, "cwd": "..."}, carrying the caller's stdin, stdout and stderr
as file descriptors. For each it forks a child that takes those descriptors as 0, 1 and 2, the environment and
the working directory as its own, and runs `openstackclient.shell.main(argv)`, which is all the `openstack`
console script does. The child sends its pid at once and its exit status when the command ends.

So every call is still its own process running the CLI's own code on its own argv and environment; only the
imports were done before the fork. The server exits when its standard input closes (its test session ended).
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import select
import signal
import socket
import struct
import sys
import traceback

MAX_REQUEST = 1 << 20


def preload() -> None:
    """Imports the CLI and the modules of its commands, as a first call of each would."""
    from openstackclient import shell  # noqa: F401

    entry_points = importlib.metadata.entry_points()
    for group in sorted(g for g in entry_points.groups if g.startswith("openstack.")):
        for ep in entry_points.select(group=group):
            try:
                ep.load()
            except Exception:  # a plugin that fails to import fails the same way in the command that needs it
                pass


def run_command(conn: socket.socket, request: dict, fds: list[int]) -> None:
    """In the forked child: become the CLI process the request describes, run it, report its status, exit."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.setpgid(0, 0)
    conn.send(struct.pack("!i", os.getpid()))
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    sys.argv = [sys.argv[0], *request["argv"]]
    from openstackclient import shell

    try:
        rc = shell.main(request["argv"])
    except SystemExit as e:
        rc = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException:
        traceback.print_exc()
        rc = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        conn.send(struct.pack("!i", rc or 0))
        os._exit(rc or 0)


def serve(path: str) -> None:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind(path)
    listener.listen(64)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    print("ready", flush=True)
    while True:
        readable, _, _ = select.select([listener, sys.stdin], [], [])
        if sys.stdin in readable and not os.read(sys.stdin.fileno(), 1):
            return
        if listener not in readable:
            continue
        conn, _ = listener.accept()
        try:
            message, fds, _, _ = socket.recv_fds(conn, MAX_REQUEST, 3)
            if len(fds) != 3 or not message:
                continue
            sys.stdout.flush()
            sys.stderr.flush()
            if os.fork() == 0:
                try:
                    listener.close()
                    run_command(conn, json.loads(message), fds)
                finally:
                    os._exit(1)  # run_command exits itself; this only stops a child that failed on the way
            for fd in fds:
                os.close(fd)
        finally:
            conn.close()


if __name__ == "__main__":
    socket_path = sys.argv[2]
    sys.argv = [sys.argv[1]]
    preload()
    serve(socket_path)
