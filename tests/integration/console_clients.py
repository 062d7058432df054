"""Clients of the console proxy for the console tests: a headless Chromium on noVNC's page (Debian's chromium and
chromium-driver, driven by selenium), WebSocket clients, and a look at the stratus process's file descriptors and
memory. Waiting polls against deadlines."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

# US keyboard: what a character is typed as with Shift held. The browser's synthetic key events carry no Shift of
# their own, so the test presses it, as a person would.
SHIFTED = {"$": "4", "(": "9", ")": "0", "*": "8", ">": ".", "|": "\\", "_": "-", ":": ";"}


@contextmanager
def chromium(javascript: bool = True):
    """A headless Chromium under chromedriver (pages' scripts off unless `javascript`); both must be installed
    (scripts/install-test-deps.sh)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    missing = [tool for tool in ("chromium", "chromedriver") if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} not installed: run scripts/install-test-deps.sh")
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1000,700"):
        options.add_argument(argument)
    # After a login form, Chromium's password manager may check the password against known leaks and open a dialog,
    # which chromedriver reports as an unexpected alert.
    options.add_argument("--disable-features=PasswordLeakDetection")
    options.add_experimental_option("prefs", {
        "credentials_enable_service": False, "profile.password_manager_enabled": False, "profile.password_manager_leak_detection": False,
        "profile.managed_default_content_settings.javascript": 1 if javascript else 2,
    })
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def wait_for_status(driver, text: str, deadline: float = 60.0) -> str:
    """noVNC's status line once it contains `text`."""
    from selenium.webdriver.common.by import By

    end = time.monotonic() + deadline
    while True:
        status = driver.find_element(By.ID, "status").text
        if text in status:
            return status
        if time.monotonic() >= end:
            pytest.fail(f"noVNC's status is {status!r}, not {text!r}, after {deadline:.0f}s")
        time.sleep(0.2)


def type_keys(driver, element, text: str) -> None:
    """Types `text` and Enter into `element` key by key, holding Shift for capitals and shifted symbols."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    element.click()
    chain = ActionChains(driver)
    for character in text:
        if character in SHIFTED or character.isupper():
            chain.key_down(Keys.SHIFT).send_keys(SHIFTED.get(character, character.lower())).key_up(Keys.SHIFT)
        else:
            chain.send_keys(character)
    chain.send_keys(Keys.ENTER).perform()


def ocr(png: Path) -> str:
    """The text tesseract reads on a screenshot, scaled up twice as large (the VGA font is 16 pixels high)."""
    from PIL import Image

    if shutil.which("tesseract") is None:
        pytest.fail("tesseract not installed: run scripts/install-test-deps.sh")
    scaled = png.with_suffix(".x2.png")
    with Image.open(png) as image:
        image.convert("L").resize((image.width * 2, image.height * 2), Image.LANCZOS).save(scaled)
    return subprocess.run(["tesseract", str(scaled), "-"], capture_output=True, text=True, timeout=120).stdout


def api(cloud, method: str, path: str, body: dict | None = None, version: str = "2.96") -> tuple[int, dict]:
    """A compute API call as the cloud's admin with a token of `openstack token issue`, cached on the cloud."""
    token = cloud.state.get("token") or cloud.state.setdefault("token", cloud.ok("token", "issue", "-f", "value", "-c", "id").stdout.strip())
    request = urllib.request.Request(
        f"{cloud.server.base_url}/compute/v2.1{path}", method=method, data=json.dumps(body).encode() if body else None,
        headers={"X-Auth-Token": token, "Content-Type": "application/json", "OpenStack-API-Version": f"compute {version}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, json.loads(reply.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def console_token(cloud, server_id: str, protocol: str = "vnc", kind: str = "novnc") -> str:
    status, body = api(cloud, "POST", f"/servers/{server_id}/remote-consoles", {"remote_console": {"protocol": protocol, "type": kind}})
    assert status == 200, body
    url = body["remote_console"]["url"]
    return url.split("token%3D" if kind == "novnc" else "token=", 1)[1]


def open_files(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for {pid}")


def wait_until(check, what: str, deadline: float = 30.0):
    end = time.monotonic() + deadline
    while not (result := check()):
        if time.monotonic() >= end:
            pytest.fail(f"{what}: not so after {deadline:.0f}s")
        time.sleep(0.2)
    return result
