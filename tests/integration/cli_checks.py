"""Checks the CLI test modules share: the HTTP status in the CLI's error output, a test's prerequisites, and the
statuses the server logged for a request."""

from __future__ import annotations

import re
import time

import pytest


def http_status(code: str) -> re.Pattern:
    """The bare status number `code` (a regular expression) in the CLI's error output, not part of a port, UUID,
    address or other number. keystoneauth1 prints "<message> (HTTP <status>) (Request-ID: ...)", openstacksdk
    "ForbiddenException: 403: Client Error for url: <url>, <message>"."""
    return re.compile(rf"(?<![\w.-]){code}(?![\w.-])")


HTTP_400 = http_status("400")
HTTP_401 = http_status("401")
HTTP_403 = http_status("403")
HTTP_404 = http_status("404")
HTTP_409 = http_status("409")
HTTP_500 = http_status("500")
HTTP_4XX = http_status("4[0-9][0-9]")


def need(cloud, *keys: str) -> None:
    """Skips the test when an earlier test of its module did not leave `keys` in `cloud.state`."""
    missing = [k for k in keys if k not in cloud.state]
    if missing:
        pytest.skip(f"prerequisite test did not pass (missing {', '.join(missing)})")


def _server_logs(cloud):
    return [p for p in cloud.server.log_files if p.name.endswith(".stderr.log")]


def log_mark(cloud) -> dict:
    """Where each server log ends now; `logged_statuses` reads what comes after."""
    return {p: (p.stat().st_size if p.exists() else 0) for p in _server_logs(cloud)}


def logged_statuses(cloud, mark: dict, method: str, path: str, settle: bool = True) -> list[str]:
    """The statuses the server logged for `METHOD path` since `mark` (one line per request, written
    before the response is sent; a short wait covers a slow flush unless `settle` is false)."""
    line = re.compile(rf"(?<![\w/]){method} {re.escape(path)}(?:\?\S*)? (\d{{3}})(?!\d)")
    found: list[str] = []
    for _ in range(20 if settle else 1):
        found = []
        for p in _server_logs(cloud):
            if not p.exists():
                continue
            with open(p, "rb") as f:
                f.seek(mark.get(p, 0))
                found += line.findall(f.read().decode("utf-8", errors="replace"))
        if found:
            break
        time.sleep(0.1)
    return found


def fails_not_found(cloud, kind: str, path: str, *args: str, **kw):
    """`openstack ARGS` fails as "not found": the CLI prints the 404 or its own "No KIND found", and the
    server answered the GET of `path` (the lookup by id) with 404, not 403 or 400."""
    mark = log_mark(cloud)
    r = cloud.fails(*args, **kw)
    assert HTTP_404.search(r.stderr) or f"No {kind} found" in r.stderr, (
        f"expected 404 / 'No {kind} found'\n{r.describe()}"
    )
    statuses = logged_statuses(cloud, mark, "GET", path)
    assert statuses and all(s == "404" for s in statuses), (
        f"the server answered GET {path} with {statuses or 'nothing logged'}, expected 404\n{r.describe()}\n"
        f"{cloud.server.log_report()}"
    )
    return r
