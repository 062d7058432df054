"""The dashboard in a real browser (headless Chromium under chromedriver, selenium): a member logs in, uploads an
image, launches an instance on the fake driver and sees it become Active without reloading the page, attaches a
volume to it, opens its page and log, shuts it off and starts it again, deletes it, and logs out; the admin disables
a compute service and enables it again. Screenshots of the pages go to ARTIFACTS/dashboard/ (scripts/dashboard-screenshots.sh)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from conftest import _artifacts
from console_clients import chromium, wait_until

PASSWORD = "dash-" + uuid.uuid4().hex[:12]


def text_of(browser, selector: str) -> str:
    """The text of the element `selector` finds, read in one script call (the rows' refresh may replace an element
    between a lookup and a read, which Chromium reports as an error of its own); empty while there is none."""
    return browser.execute_script("const e = document.querySelector(arguments[0]); return e ? e.innerText : '';", selector)


def click(browser, selector: str) -> bool:
    """Clicks the element `selector` finds; false while there is none or the rows' refresh replaced it."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, WebDriverException
    from selenium.webdriver.common.by import By

    try:
        browser.find_element(By.CSS_SELECTOR, selector).click()
        return True
    except (NoSuchElementException, StaleElementReferenceException):
        return False
    except WebDriverException as error:
        if "does not belong to the document" in str(error):
            return False
        raise


def screenshot(browser, name: str) -> None:
    directory = _artifacts() / "dashboard"
    directory.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(directory / f"{name}.png"))


def test_without_javascript_the_forms_work_and_an_image_uploads(cloud, tmp_path: Path):
    """Pages' scripts off: the login form, a refused field shown next to it, and the image form (posted as
    multipart/form-data and passed on to the image API) still work."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    base = cloud.server.base_url
    with chromium(javascript=False) as browser:
        browser.get("data:text/html,<title>off</title><script>document.title = 'on'</script>")
        assert browser.title == "off", "pages' scripts are off"
        browser.get(f"{base}/dashboard/project/images")
        browser.find_element(By.NAME, "user").send_keys("admin")
        browser.find_element(By.NAME, "password").send_keys(cloud.openrc_env()["OS_PASSWORD"])
        browser.find_element(By.CSS_SELECTOR, "form[action='/dashboard/auth/login'] button").click()
        wait_until(lambda: browser.current_url.endswith("/dashboard/project/images"), "the login, back to the page asked for")
        upload = tmp_path / "nojs.img"
        upload.write_bytes(os.urandom(300_000))
        form = browser.find_element(By.ID, "image-upload")
        form.find_element(By.NAME, "name").send_keys("nojs-image")
        Select(form.find_element(By.NAME, "disk_format")).select_by_visible_text("raw")
        form.find_element(By.NAME, "file").send_keys(str(upload))
        form.find_element(By.CSS_SELECTOR, "button").click()
        wait_until(lambda: "Image nojs-image uploaded." in browser.page_source, "the upload")
        image = cloud.api.image.find_image("nojs-image")
        assert image.status == "active" and image.size == 300_000, image

        browser.get(f"{base}/dashboard/project/volumes")
        create = browser.find_element(By.CSS_SELECTOR, "form[action='/dashboard/project/volumes/create']")
        size = create.find_element(By.NAME, "size")
        size.clear()
        size.send_keys("0")
        create.find_element(By.CSS_SELECTOR, "button").click()
        wait_until(lambda: browser.find_elements(By.CSS_SELECTOR, ".field-error[data-field=size]"), "the size's message next to it")
        cloud.ok("image", "delete", "nojs-image")


def test_a_member_launches_watches_acts_on_and_deletes_an_instance(cloud, tmp_path: Path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    project, user = "dash-" + uuid.uuid4().hex[:6], "dash-" + uuid.uuid4().hex[:6]
    cloud.ok("project", "create", project)
    cloud.ok("user", "create", "--password", PASSWORD, "--project", project, user)
    cloud.ok("role", "add", "--project", project, "--user", user, "member")
    image = tmp_path / "dash.img"
    image.write_bytes(os.urandom(4096))
    cloud.ok("image", "create", "--file", str(image), "--disk-format", "raw", "--container-format", "bare", "--public", "dash-image")
    base = cloud.server.base_url

    with chromium() as browser:
        browser.set_window_size(1400, 900)
        browser.get(f"{base}/dashboard")
        assert "/dashboard/auth/login" in browser.current_url
        browser.find_element(By.NAME, "user").send_keys(user)
        browser.find_element(By.NAME, "password").send_keys(PASSWORD)
        browser.find_element(By.CSS_SELECTOR, "form[action='/dashboard/auth/login'] button").click()
        wait_until(lambda: browser.current_url.endswith("/dashboard/project/instances"), "the login")
        assert project in browser.find_element(By.NAME, "project").text

        # An image uploaded from the images page (the script sends the file and shows the progress).
        upload = tmp_path / "upload.img"
        upload.write_bytes(os.urandom(1 << 20))
        browser.find_element(By.LINK_TEXT, "Images").click()
        form = browser.find_element(By.ID, "image-upload")
        form.find_element(By.NAME, "name").send_keys("dash-upload")
        Select(form.find_element(By.NAME, "disk_format")).select_by_visible_text("raw")
        form.find_element(By.NAME, "file").send_keys(str(upload))
        form.find_element(By.CSS_SELECTOR, "button").click()
        wait_until(lambda: "Image dash-upload uploaded." in browser.page_source, "the upload")
        assert "dash-upload" in browser.find_element(By.CSS_SELECTOR, "table.resources").text

        browser.find_element(By.LINK_TEXT, "Launch Instance").click()
        browser.find_element(By.NAME, "name").send_keys("dash-vm")
        Select(browser.find_element(By.NAME, "image")).select_by_visible_text("dash-image")
        browser.find_element(By.CSS_SELECTOR, "input[name=flavor][value='1']").click()
        auto = browser.find_element(By.CSS_SELECTOR, "input[name=network][value=auto]")
        if auto.is_selected():
            auto.click()
        browser.find_element(By.CSS_SELECTOR, "input[name=network][value=none]").click()
        screenshot(browser, "launch")
        browser.find_element(By.CSS_SELECTOR, "form.launch button[type=submit]").click()
        wait_until(lambda: browser.current_url.endswith("/dashboard/project/instances"), "the launch")

        # The row turns Active by itself: the page is not loaded again (the marker set on it stays).
        browser.execute_script("window.stratusMarker = 42;")
        row = "#instance-rows tr[data-id]"
        wait_until(lambda: "ACTIVE" in text_of(browser, row), "ACTIVE without a reload")
        assert browser.execute_script("return window.stratusMarker;") == 42
        screenshot(browser, "instances")

        # A volume, made and attached from the volumes page (which shows it once reloaded).
        browser.find_element(By.LINK_TEXT, "Volumes").click()
        create = browser.find_element(By.CSS_SELECTOR, "form[action='/dashboard/project/volumes/create']")
        create.find_element(By.NAME, "name").send_keys("dash-vol")
        create.find_element(By.CSS_SELECTOR, "button").click()
        attach = "form[action$='/attach'] button"
        volumes = browser.current_url
        wait_until(lambda: browser.get(volumes) or browser.find_elements(By.CSS_SELECTOR, attach), "the new volume, available")
        Select(browser.find_element(By.CSS_SELECTOR, "form[action$='/attach'] select[name=server]")).select_by_visible_text("dash-vm")
        browser.find_element(By.CSS_SELECTOR, attach).click()
        wait_until(lambda: "Volume attached." in browser.page_source, "the attach")
        wait_until(lambda: browser.get(volumes) or "Detach from dash-vm" in browser.page_source, "the volume in use by dash-vm")
        screenshot(browser, "volumes")

        browser.find_element(By.LINK_TEXT, "Instances").click()
        browser.find_element(By.LINK_TEXT, "dash-vm").click()
        wait_until(lambda: browser.find_elements(By.ID, "instance-status"), "the instance's page")
        assert "/dev/vdb" in browser.page_source
        assert browser.find_element(By.ID, "instance-status").text == "ACTIVE"
        assert "create" in browser.find_element(By.ID, "action-log").text
        browser.find_element(By.ID, "log")
        screenshot(browser, "instance")
        browser.find_element(By.CSS_SELECTOR, "button[value=stop]").click()
        wait_until(lambda: "Shut Off: request sent." in browser.page_source, "the stop's notice")

        browser.find_element(By.LINK_TEXT, "Instances").click()
        wait_until(lambda: "SHUTOFF" in text_of(browser, row), "SHUTOFF")
        wait_until(lambda: click(browser, "button[value=start]"), "the start button")
        wait_until(lambda: "ACTIVE" in text_of(browser, row), "ACTIVE again")

        wait_until(lambda: click(browser, f"{row} button[value=delete]"), "the delete button")
        browser.switch_to.alert.accept()
        wait_until(lambda: "No instances." in text_of(browser, "#instance-rows"), "the delete")

        browser.find_element(By.CSS_SELECTOR, "form.logout button").click()
        wait_until(lambda: "You have logged out." in browser.page_source, "the logout")
        browser.get(f"{base}/dashboard/project/instances")
        assert "/dashboard/auth/login" in browser.current_url

        # The admin disables a compute service from the services page, and enables it again (other tests use it).
        browser.find_element(By.NAME, "user").send_keys("admin")
        browser.find_element(By.NAME, "password").send_keys(cloud.openrc_env()["OS_PASSWORD"])
        browser.find_element(By.CSS_SELECTOR, "form[action='/dashboard/auth/login'] button").click()
        wait_until(lambda: browser.current_url.endswith("/dashboard/project/instances"), "the admin's login")
        browser.find_element(By.LINK_TEXT, "Hypervisors").click()
        screenshot(browser, "admin-hypervisors")
        browser.find_element(By.LINK_TEXT, "Services").click()
        browser.find_element(By.CSS_SELECTOR, "form[action$='/disable'] input[name=reason]").send_keys("maintenance")
        browser.find_element(By.CSS_SELECTOR, "form[action$='/disable'] button").click()
        wait_until(lambda: "Service updated." in browser.page_source and "maintenance" in browser.page_source, "the disable")
        assert any(s.status == "disabled" for s in cloud.api.compute.services() if s.binary == "nova-compute")
        browser.find_element(By.CSS_SELECTOR, "form[action$='/enable'] button").click()
        wait_until(lambda: not browser.find_elements(By.CSS_SELECTOR, "form[action$='/enable']"), "the enable")
        assert all(s.status == "enabled" for s in cloud.api.compute.services() if s.binary == "nova-compute")
