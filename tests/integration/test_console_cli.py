"""Remote consoles of a real guest (`stratus all-in-one --driver qemu`, TCG): `openstack console url show --novnc`
opened in headless Chromium shows the guest's screen and types into it; `--serial` relays the serial port; tokens
work once, expire and are not given for another project's server; the proxy survives bad clients and leaks
neither file descriptors nor memory."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import time

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from conftest import _artifacts
from console_clients import api, chromium, console_token, ocr, open_files, rss_mib, type_keys, wait_for_status, wait_until
from qemu_guests import boot_test_guest, kill_guests, qemu_pid, wait_console

RUN = secrets.token_hex(3)
# Tokens live 20 s here, so that the expiry test waits for a real one to expire.
TOKEN_TTL = 20
STRATUS_SERVER_ARGS = ("--driver", "qemu", "--compute-host", "console-host", "--shutdown-timeout", "30", "--console-token-ttl", str(TOKEN_TTL))
RFB_BANNER = b"RFB 003.008\n"


@pytest.fixture(scope="module")
def cloud(module_cloud):
    yield module_cloud
    kill_guests(module_cloud.data_dir)


@pytest.fixture(scope="module")
def guest(cloud):
    return boot_test_guest(cloud, "console", RUN)


def ws_url(cloud, path: str, token: str) -> str:
    return f"ws://127.0.0.1:{cloud.server.port}/{path}?token={token}"


def refusal(cloud, path: str, token: str) -> tuple[int, str]:
    """The close code and reason of a connection the proxy refuses."""
    with connect(ws_url(cloud, path, token), open_timeout=10) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
    return closed.value.rcvd.code, closed.value.rcvd.reason


def test_novnc_in_chromium_shows_the_guest_screen_and_types_into_it(cloud, guest):
    from selenium.webdriver.common.by import By

    name, server_id = guest
    shown = cloud.json("console", "url", "show", "--novnc", name)
    assert shown["type"] == "novnc" and shown["protocol"] == "vnc", shown
    url = shown["url"]
    assert url.startswith(f"{cloud.server.base_url}/vnc/vnc_lite.html?path=vnc%3Ftoken%3D"), url
    screenshot = _artifacts() / "test_console_cli" / f"novnc-{server_id}.png"
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        browser.get(url)
        status = wait_for_status(browser, "Connected to")
        assert f"instance-{server_id}" in status, status
        canvas = browser.find_element(By.CSS_SELECTOR, "#screen canvas")
        # The screen shows the guest's own line once noVNC has drawn it; OCR reads it off the screenshot.
        end = time.monotonic() + 60
        while True:
            canvas.screenshot(str(screenshot))
            text = ocr(screenshot)
            if "STRATUS TEST GUEST SCREEN" in text.upper():
                break
            assert time.monotonic() < end, f"the guest's line is not on the screen ({screenshot}); OCR read:\n{text}"
        from PIL import Image

        with Image.open(screenshot) as image:
            assert image.width >= 640 and image.height >= 400, image.size
            colors = image.convert("RGB").getcolors(maxcolors=1 << 16) or []
            assert len(colors) >= 2, f"the screenshot is blank: {colors}"
        # Typing reaches the guest's shell on the screen: the command writes its result to the serial console.
        type_keys(browser, canvas, "echo typed-by-vnc-$((6*7)) >/dev/ttyS0")
        wait_console(cloud, name, "typed-by-vnc-42")


def test_the_dashboards_instance_page_shows_the_guest_screen(cloud, guest):
    """The admin logs in to the dashboard and opens the guest's page: its embedded noVNC console connects and shows
    the guest's screen (read by OCR). The page is kept as ARTIFACTS/dashboard/instance-console.png."""
    from selenium.webdriver.common.by import By

    name, server_id = guest
    screen = _artifacts() / "test_console_cli" / f"dashboard-console-{server_id}.png"
    screen.parent.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        browser.set_window_size(1400, 1100)
        browser.get(f"{cloud.server.base_url}/dashboard/auth/login")
        browser.find_element(By.NAME, "user").send_keys("admin")
        browser.find_element(By.NAME, "password").send_keys(cloud.openrc_env()["OS_PASSWORD"])
        browser.find_element(By.CSS_SELECTOR, "form[action='/dashboard/auth/login'] button").click()
        wait_until(lambda: browser.current_url.endswith("/dashboard/project/instances"), "the login")
        browser.get(f"{cloud.server.base_url}/dashboard/project/instances/{server_id}")
        frame = browser.find_element(By.ID, "console")
        browser.execute_script("arguments[0].scrollIntoView();", frame)
        browser.switch_to.frame(frame)
        status = wait_for_status(browser, "Connected to")
        assert f"instance-{server_id}" in status, status
        canvas = browser.find_element(By.CSS_SELECTOR, "#screen canvas")
        end = time.monotonic() + 60
        while True:
            canvas.screenshot(str(screen))
            if "STRATUS TEST GUEST SCREEN" in ocr(screen).upper():
                break
            assert time.monotonic() < end, f"the guest's line is not in the dashboard's console ({screen})"
        browser.switch_to.default_content()
        shots = _artifacts() / "dashboard"
        shots.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(shots / "instance-console.png"))


def test_tokens_work_once_expire_and_belong_to_the_servers_project(cloud, guest):
    name, server_id = guest
    token = console_token(cloud, server_id)
    status, body = api(cloud, "GET", f"/os-console-auth-tokens/{token}", version="2.31")
    assert status == 200 and body["console"]["instance_uuid"] == server_id, body
    assert body["console"]["internal_access_path"].endswith(f"/{server_id}/vnc.sock"), body
    with connect(ws_url(cloud, "vnc", token), open_timeout=10) as ws:
        assert ws.recv(timeout=30) == RFB_BANNER
    # Spent: the proxy refuses it, the page says so, the API no longer knows it.
    code, reason = refusal(cloud, "vnc", token)
    assert code == 1008 and "invalid, used or expired" in reason, (code, reason)
    page = f"{cloud.server.base_url}/vnc/vnc_lite.html?path=vnc%3Ftoken%3D{token}"
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as expired_page:
        urllib.request.urlopen(page, timeout=10)
    assert expired_page.value.code == 404 and b"Console link expired" in expired_page.value.read()
    assert api(cloud, "GET", f"/os-console-auth-tokens/{token}", version="2.31")[0] == 404

    # A page of another site may not open consoles, even with a good token.
    with connect(ws_url(cloud, "vnc", console_token(cloud, server_id)), open_timeout=10, origin="http://evil.example:8000") as ws:
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
    assert closed.value.rcvd.code == 1008 and "evil.example is not allowed" in closed.value.rcvd.reason, closed.value

    # A serial token does not open the VNC console.
    serial = console_token(cloud, server_id, "serial", "serial")
    assert refusal(cloud, "vnc", serial)[0] == 1008

    # An unused token expires: the API forgets it, then the proxy refuses it.
    stale = console_token(cloud, server_id)
    wait_until(lambda: api(cloud, "GET", f"/os-console-auth-tokens/{stale}", version="2.31")[0] == 404,
               "the token expired", deadline=TOKEN_TTL + 30)
    assert refusal(cloud, "vnc", stale)[0] == 1008

    # Another project's member cannot get a console of this server: it is not there for them.
    project, user, password = f"console-other-{RUN}", f"console-user-{RUN}", "pw-" + secrets.token_hex(8)
    cloud.ok("project", "create", project)
    cloud.ok("user", "create", "--project", project, "--password", password, user)
    cloud.ok("role", "add", "--project", project, "--user", user, "member")
    other = cloud.run("console", "url", "show", "--novnc", server_id, os_env=cloud.user_env(user, password, project))
    assert other.returncode != 0 and "No Server found" in other.stderr, other.describe()


def test_serial_console_relays_the_serial_port(cloud, guest):
    name, server_id = guest
    shown = cloud.json("console", "url", "show", "--serial", name)
    assert shown["url"].startswith(f"ws://127.0.0.1:{cloud.server.port}/serial?token="), shown
    with connect(shown["url"], open_timeout=10) as ws:
        ws.send(b"\necho serial-says-$((6*7))\n")
        received = b""
        end = time.monotonic() + 60
        while b"serial-says-42" not in received:
            assert time.monotonic() < end, f"no answer on the serial console: {received[-500:]!r}"
            message = ws.recv(timeout=max(0.1, end - time.monotonic()))
            received += message if isinstance(message, bytes) else message.encode()
    wait_console(cloud, name, "serial-says-42")


def test_the_proxy_survives_bad_clients_and_leaks_nothing(cloud, guest):
    name, server_id = guest
    pid = cloud.server.proc.pid

    def one_session() -> None:
        with connect(ws_url(cloud, "vnc", console_token(cloud, server_id)), open_timeout=10) as ws:
            assert ws.recv(timeout=30) == RFB_BANNER

    one_session()  # warm up: the first session allocates what later ones reuse
    files, memory = open_files(pid), rss_mib(pid)

    # Not HTTP at all, then a WebSocket upgrade whose first frame is not a valid frame.
    for garbage in (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + os.urandom(64), b"GET /vnc HTTP/1.1\r\nHost: x\r\n\r\n" + os.urandom(64)):
        with socket.create_connection(("127.0.0.1", cloud.server.port), timeout=10) as raw:
            raw.sendall(garbage)
            raw.settimeout(10)
            try:
                while raw.recv(4096):
                    pass
            except (ConnectionResetError, TimeoutError):
                pass
    # Bytes that are not RFB: QEMU's VNC server hangs up, and the proxy closes the WebSocket.
    with connect(ws_url(cloud, "vnc", console_token(cloud, server_id)), open_timeout=10) as ws:
        assert ws.recv(timeout=30) == RFB_BANNER
        ws.send(os.urandom(4096))
        with pytest.raises(ConnectionClosed):
            while True:
                ws.recv(timeout=30)

    # A client that asks for full screens and never reads them: the proxy stops reading from QEMU instead of buffering.
    # It never reads again, so it cannot take part in a closing handshake either: it ends by dropping the connection.
    ws = connect(ws_url(cloud, "vnc", console_token(cloud, server_id)), open_timeout=10, max_queue=4)
    try:
        assert ws.recv(timeout=30) == RFB_BANNER
        ws.send(RFB_BANNER)
        ws.recv(timeout=30)  # security types
        ws.send(b"\x01")  # None
        ws.recv(timeout=30)  # security result
        ws.send(b"\x01")  # ClientInit, shared
        server_init = ws.recv(timeout=30)
        width, height = int.from_bytes(server_init[0:2], "big"), int.from_bytes(server_init[2:4], "big")
        ws.send(b"\x02\x00" + (1).to_bytes(2, "big") + (0).to_bytes(4, "big"))  # SetEncodings: raw only
        request = b"\x03\x00" + (0).to_bytes(4, "big") + width.to_bytes(2, "big") + height.to_bytes(2, "big")
        for _ in range(200):  # 200 full screens of 32-bit pixels: hundreds of MiB if anything buffered them
            ws.send(request)
        peak = memory
        end = time.monotonic() + 5
        while time.monotonic() < end:
            peak = max(peak, rss_mib(pid))
            time.sleep(0.1)
        assert peak - memory < 48, f"stratus grew from {memory:.1f} to {peak:.1f} MiB with a client that does not read"
    finally:
        ws.socket.shutdown(socket.SHUT_RDWR)
        ws.socket.close()

    # 50 sessions opened and closed.
    for _ in range(50):
        one_session()
    wait_until(lambda: open_files(pid) <= files, f"stratus's open files back to {files} (now {open_files(pid)})")
    assert rss_mib(pid) - memory < 16, f"stratus grew from {memory:.1f} to {rss_mib(pid):.1f} MiB over 50 sessions"

    # The guest dies in the middle of a session: the proxy closes the WebSocket and stays up.
    with connect(ws_url(cloud, "vnc", console_token(cloud, server_id)), open_timeout=10) as ws:
        assert ws.recv(timeout=30) == RFB_BANNER
        os.kill(qemu_pid(cloud.data_dir, server_id), signal.SIGKILL)
        with pytest.raises(ConnectionClosed):
            while True:
                ws.recv(timeout=30)
    wait_until(lambda: open_files(pid) <= files, f"stratus's open files back to {files} (now {open_files(pid)})")
    assert cloud.server.proc.poll() is None, "stratus exited"
    cloud.ok("server", "show", name)
