"""Identity (Keystone v3) through the real `openstack` CLI against `stratus all-in-one`.

The tests run in file order and share state through the session fixtures in conftest.py
(`cloud.state`); a test whose prerequisite failed is skipped.
"""

from __future__ import annotations

import json
import stat

import yaml

from cli_checks import HTTP_401, HTTP_403, http_status, need

DEMO_PASSWORD = "demo-Pw-4711"
HTTP_401_OR_404 = http_status("40[14]")


def _demo_env(cloud, password: str = DEMO_PASSWORD) -> dict[str, str]:
    env = cloud.openrc_env()
    env.update(
        OS_USERNAME="demo",
        OS_PASSWORD=password,
        OS_PROJECT_NAME="demo",
        OS_USER_DOMAIN_NAME="Default",
        OS_PROJECT_DOMAIN_NAME="Default",
    )
    for key in ("OS_PROJECT_ID", "OS_USER_ID", "OS_TENANT_NAME", "OS_TENANT_ID", "OS_CLOUD"):
        env.pop(key, None)
    return env


def _token_env(cloud) -> dict[str, str]:
    """Only what a token-authenticated call needs; no user name or password."""
    admin = cloud.openrc_env()
    keep = ("OS_AUTH_URL", "OS_IDENTITY_API_VERSION", "OS_REGION_NAME", "OS_INTERFACE")
    return {k: admin[k] for k in keep if k in admin}


def _with_token(cloud, token: str, *args: str):
    return cloud.run(
        "--os-auth-type", "token",
        "--os-token", token,
        "--os-project-name", "demo",
        "--os-project-domain-name", "Default",
        *args,
        os_env=_token_env(cloud),
    )


def test_data_dir_files(cloud, server):
    for name in ("admin-openrc.sh", "clouds.yaml"):
        path = cloud.data_dir / name
        assert path.is_file(), f"{path} missing; data dir has {sorted(p.name for p in cloud.data_dir.iterdir())}"
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == 0o600, f"{path} has mode {oct(mode)}, want 0o600"

    env = cloud.openrc_env()
    for key in (
        "OS_AUTH_URL", "OS_USERNAME", "OS_PASSWORD", "OS_PROJECT_NAME",
        "OS_USER_DOMAIN_NAME", "OS_PROJECT_DOMAIN_NAME", "OS_IDENTITY_API_VERSION", "OS_REGION_NAME",
    ):
        assert env.get(key), f"admin-openrc.sh does not export {key}; got {sorted(env)}"
    assert env["OS_AUTH_URL"].rstrip("/") == f"{server.base_url}/identity/v3", env["OS_AUTH_URL"]
    assert env["OS_IDENTITY_API_VERSION"] == "3"
    assert env["OS_USERNAME"] == "admin"
    assert env["OS_PROJECT_NAME"] == "admin"
    assert env["OS_PASSWORD"] == server.admin_password, "admin-openrc.sh does not hold STRATUS_ADMIN_PASSWORD"

    clouds = yaml.safe_load((cloud.data_dir / "clouds.yaml").read_text())
    assert "stratus" in (clouds or {}).get("clouds", {}), f"clouds.yaml has no cloud 'stratus': {clouds}"
    cloud.state["openrc"] = (cloud.data_dir / "admin-openrc.sh").read_text()


def test_token_issue(cloud, server):
    tok = cloud.json("token", "issue")
    for key in ("expires", "id", "project_id", "user_id"):
        assert tok.get(key), f"token issue output lacks {key}: {tok}"
    cloud.state["admin_user_id"] = tok["user_id"]

    # The same through clouds.yaml, with no OS_* variable but the config file.
    tok2 = cloud.json(
        "--os-cloud", "stratus", "token", "issue",
        os_env={"OS_CLIENT_CONFIG_FILE": str(cloud.data_dir / "clouds.yaml")},
    )
    for key in ("expires", "id", "project_id", "user_id"):
        assert tok2.get(key), f"token issue (clouds.yaml) output lacks {key}: {tok2}"
    assert tok2["user_id"] == tok["user_id"]
    assert tok2["project_id"] == tok["project_id"]


def test_catalog_list(cloud, server):
    catalog = cloud.json("catalog", "list")
    identity = [s for s in catalog if s.get("Type") == "identity"]
    assert identity, f"no service of type identity in the catalog: {catalog}"
    endpoints = json.dumps(identity[0].get("Endpoints"))
    assert f"{server.base_url}/identity" in endpoints, f"identity endpoints: {endpoints}"


def test_create_demo_project_user_role(cloud):
    project = cloud.json("project", "create", "demo")
    assert project.get("name") == "demo", project
    user = cloud.json("user", "create", "--project", "demo", "--password", DEMO_PASSWORD, "demo")
    assert user.get("name") == "demo", user
    cloud.ok("role", "add", "--project", "demo", "--user", "demo", "member")

    rows = cloud.json("role", "assignment", "list", "--user", "demo", "--project", "demo", "--names")
    roles = [r.get("Role") for r in rows]
    assert "member" in roles, f"role assignment list: {rows}"
    cloud.state["demo"] = {"project_id": project["id"], "user_id": user["id"]}


def test_demo_token_and_forbidden(cloud):
    need(cloud, "demo")
    tok = cloud.json("token", "issue", os_env=_demo_env(cloud))
    assert tok.get("user_id") == cloud.state["demo"]["user_id"], tok
    assert tok.get("project_id") == cloud.state["demo"]["project_id"], tok

    r = cloud.fails("user", "list", os_env=_demo_env(cloud))
    assert HTTP_403.search(r.stderr), f"expected HTTP 403 in stderr\n{r.describe()}"
    low = r.stderr.lower()
    assert "not authorized" in low or "forbidden" in low, f"expected a 403 message\n{r.describe()}"


def test_token_revoke(cloud):
    need(cloud, "demo")
    token = cloud.json("token", "issue", os_env=_demo_env(cloud))["id"]

    # The token works before it is revoked.
    before = _with_token(cloud, token, "token", "issue", "-f", "json")
    assert before.returncode == 0, f"fresh demo token does not authenticate\n{before.describe()}"

    cloud.ok("token", "revoke", token)

    for args in (("token", "issue"), ("catalog", "list")):
        r = _with_token(cloud, token, *args)
        assert r.returncode != 0, f"revoked token still accepted\n{r.describe()}"
        assert HTTP_401_OR_404.search(r.stderr), f"expected HTTP 401 or 404 in stderr\n{r.describe()}"


def test_wrong_password(cloud):
    need(cloud, "demo")
    r = cloud.fails("token", "issue", os_env=_demo_env(cloud, password="not-" + DEMO_PASSWORD))
    assert HTTP_401.search(r.stderr), f"expected HTTP 401 in stderr\n{r.describe()}"
    assert "the request you have made requires authentication" in r.stderr.lower(), (
        f"expected Keystone's 401 message\n{r.describe()}"
    )


def test_restart_keeps_state(cloud, server):
    need(cloud, "demo", "openrc")
    # Issued before the restart; must still validate afterwards.
    old_token = cloud.json("token", "issue", os_env=_demo_env(cloud))["id"]

    server.stop()  # SIGTERM, exit status 0 within 10 s
    # Not the first start: no bootstrap, so no admin password is needed (nor may be regenerated).
    server.start(with_admin_password=False)

    assert (cloud.data_dir / "admin-openrc.sh").read_text() == cloud.state["openrc"], (
        "admin-openrc.sh changed on restart"
    )
    for name in ("admin-openrc.sh", "clouds.yaml"):
        mode = stat.S_IMODE((cloud.data_dir / name).stat().st_mode)
        assert mode == 0o600, f"{name} has mode {oct(mode)} after restart"

    tok = cloud.json("token", "issue", os_env=_demo_env(cloud))
    assert tok.get("user_id") == cloud.state["demo"]["user_id"], tok

    admin = cloud.json("token", "issue")
    assert admin.get("user_id") == cloud.state.get("admin_user_id", admin.get("user_id")), admin

    r = _with_token(cloud, old_token, "token", "issue", "-f", "json")
    assert r.returncode == 0, f"token issued before the restart no longer validates\n{r.describe()}"

    logs = server.logs_text()
    assert server.admin_password not in logs, (
        f"the admin password appears in the server output: {', '.join(map(str, server.log_files))}"
    )
