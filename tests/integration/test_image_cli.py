"""Images (Glance v2 at /image) through the real `openstack` CLI against `stratus all-in-one`.

The module has a server of its own (`module_cloud` in conftest.py), so it neither sees the identity
tests' users nor is restarted by them. The tests run in file order and share state through
`cloud.state`; a test whose prerequisite failed is skipped.
"""

from __future__ import annotations

import hashlib
import secrets

import pytest

from cli_checks import HTTP_400, HTTP_403, HTTP_404, need

DEMO_PASSWORD = "demo-Img-Pw-0815"
IMAGE_A = "stratus-test-a"
IMAGE_SHARED = "stratus-test-shared"
IMAGE_DEMO = "stratus-test-demo-own"
# Not a multiple of any plausible chunk size, so a lost or repeated last chunk shows.
IMAGE_A_SIZE = 3 * 1024 * 1024 + 12345


@pytest.fixture(scope="module")
def cloud(module_cloud):
    """This module's own server (see the module docstring)."""
    return module_cloud


def _demo_env(cloud) -> dict[str, str]:
    return cloud.user_env("demo", DEMO_PASSWORD, "demo")


def _field(image: dict, key: str):
    """A field of `image show -f json`: the CLI prints Glance's base fields at the top level and
    moves some (os_hash_*, os_hidden, custom properties) into `properties`."""
    if key in image:
        return image[key]
    return (image.get("properties") or {}).get(key)


def _digests(path) -> tuple[str, str]:
    md5, sha512 = hashlib.md5(), hashlib.sha512()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            md5.update(block)
            sha512.update(block)
    return md5.hexdigest(), sha512.hexdigest()


def _random_file(path, size: int):
    path.write_bytes(secrets.token_bytes(size))
    md5, sha512 = _digests(path)
    return {"path": path, "size": size, "md5": md5, "sha512": sha512}


def _listed(cloud, *args: str, **kw) -> dict[str, dict]:
    """`image list ARGS` as {id: row}."""
    rows = cloud.json("image", "list", *args, **kw)
    return {row["ID"]: row for row in rows}


def test_create_image_from_file(cloud, tmp_path_factory):
    data = _random_file(tmp_path_factory.mktemp("image-a") / "a.qcow2", IMAGE_A_SIZE)
    image = cloud.json(
        "image", "create",
        "--file", str(data["path"]),
        "--disk-format", "qcow2",
        "--container-format", "bare",
        IMAGE_A,
    )
    assert image.get("name") == IMAGE_A, image
    assert image.get("id"), f"image create printed no id: {image}"
    assert image.get("status") == "active", f"image not active after its upload: {image}"
    cloud.state["a"] = {**data, "id": image["id"]}


def test_image_list_shows_it_active(cloud):
    need(cloud, "a")
    a = cloud.state["a"]
    rows = _listed(cloud)
    assert a["id"] in rows, f"image list lacks {IMAGE_A} ({a['id']}): {list(rows.values())}"
    row = rows[a["id"]]
    assert row.get("Name") == IMAGE_A, row
    assert row.get("Status") == "active", row


def test_image_show_size_and_digests(cloud):
    need(cloud, "a")
    a = cloud.state["a"]
    image = cloud.json("image", "show", IMAGE_A)
    assert image.get("id") == a["id"], image
    assert image.get("size") == a["size"], f"size {image.get('size')}, file has {a['size']} bytes: {image}"
    assert image.get("checksum") == a["md5"], f"checksum is not the md5 of the file ({a['md5']}): {image}"
    assert _field(image, "os_hash_algo") == "sha512", image
    assert _field(image, "os_hash_value") == a["sha512"], f"os_hash_value is not the file's sha512: {image}"
    assert image.get("disk_format") == "qcow2", image
    assert image.get("container_format") == "bare", image
    # Glance's default visibility since Ocata.
    assert image.get("visibility") == "shared", image
    assert image.get("protected") is False, image


def test_image_save_is_byte_identical(cloud, tmp_path_factory):
    need(cloud, "a")
    a = cloud.state["a"]
    out = tmp_path_factory.mktemp("image-a-save") / "a.out"
    cloud.ok("image", "save", "--file", str(out), IMAGE_A)
    assert out.is_file(), f"image save wrote no {out}"
    size = out.stat().st_size
    md5, sha512 = _digests(out)
    assert (size, sha512) == (a["size"], a["sha512"]), (
        f"downloaded {size} bytes with sha512 {sha512}; uploaded {a['size']} bytes with sha512 {a['sha512']}"
    )
    assert md5 == a["md5"]


def test_set_and_unset_property(cloud):
    need(cloud, "a")
    cloud.ok("image", "set", "--property", "stratus_test=value-1", IMAGE_A)
    image = cloud.json("image", "show", IMAGE_A)
    assert _field(image, "stratus_test") == "value-1", f"property not set: {image}"

    cloud.ok("image", "unset", "--property", "stratus_test", IMAGE_A)
    image = cloud.json("image", "show", IMAGE_A)
    assert _field(image, "stratus_test") is None, f"property still there after unset: {image}"


def test_set_tag(cloud):
    need(cloud, "a")
    a = cloud.state["a"]
    cloud.ok("image", "set", "--tag", "stratus-tag", IMAGE_A)
    image = cloud.json("image", "show", IMAGE_A)
    assert "stratus-tag" in (image.get("tags") or []), f"tag not set: {image}"

    tagged = _listed(cloud, "--tag", "stratus-tag")
    assert list(tagged) == [a["id"]], f"image list --tag stratus-tag: {list(tagged.values())}"
    assert _listed(cloud, "--tag", "no-such-tag") == {}


def test_set_public_as_admin(cloud):
    need(cloud, "a")
    cloud.ok("image", "set", "--public", IMAGE_A)
    image = cloud.json("image", "show", IMAGE_A)
    assert image.get("visibility") == "public", image
    cloud.state["a_public"] = True


def test_bad_disk_format(cloud):
    before = _listed(cloud)

    # The CLI knows Glance's formats and refuses before it sends anything.
    r = cloud.fails("image", "create", "--disk-format", "bogus", "--container-format", "bare", "stratus-test-bad")
    assert "invalid choice: 'bogus'" in r.stderr, f"expected the CLI's 'invalid choice' message\n{r.describe()}"

    # Smuggled past the CLI as a property, the server must refuse it (400, naming the field) and
    # keep no image.
    r = cloud.fails(
        "image", "create", "--container-format", "bare", "--property", "disk_format=bogus", "stratus-test-bad"
    )
    assert HTTP_400.search(r.stderr), f"expected HTTP 400 in stderr\n{r.describe()}"
    assert "disk_format" in r.stderr and "bogus" in r.stderr, f"expected a message naming disk_format\n{r.describe()}"

    assert _listed(cloud) == before, "a refused image create left an image behind"


def test_create_demo_project_user_role(cloud):
    project = cloud.json("project", "create", "demo")
    user = cloud.json("user", "create", "--project", "demo", "--password", DEMO_PASSWORD, "demo")
    cloud.ok("role", "add", "--project", "demo", "--user", "demo", "member")
    tok = cloud.json("token", "issue", os_env=_demo_env(cloud))
    assert tok.get("project_id") == project["id"], tok
    cloud.state["demo"] = {"project_id": project["id"], "user_id": user["id"]}


def test_share_image_with_demo(cloud, tmp_path_factory):
    need(cloud, "demo")
    data = _random_file(tmp_path_factory.mktemp("image-shared") / "shared.raw", 256 * 1024 + 7)
    image = cloud.json(
        "image", "create",
        "--file", str(data["path"]),
        "--disk-format", "raw",
        "--container-format", "bare",
        "--shared",
        IMAGE_SHARED,
    )
    assert image.get("status") == "active", image
    assert image.get("visibility") == "shared", image
    image_id = image["id"]
    cloud.state["shared"] = {**data, "id": image_id}

    member = cloud.json("image", "add", "project", IMAGE_SHARED, "demo")
    assert member.get("member_id") == cloud.state["demo"]["project_id"], member
    assert member.get("status") == "pending", member

    # Pending: not in demo's list (which does show the public image).
    demo_rows = _listed(cloud, os_env=_demo_env(cloud))
    assert image_id not in demo_rows, f"demo lists the shared image before accepting it: {list(demo_rows.values())}"
    if cloud.state.get("a_public"):
        assert cloud.state["a"]["id"] in demo_rows, f"demo does not list the public image: {list(demo_rows.values())}"

    cloud.ok("image", "set", "--accept", image_id, os_env=_demo_env(cloud))

    demo_rows = _listed(cloud, os_env=_demo_env(cloud))
    assert image_id in demo_rows, f"demo does not list the shared image after accepting it: {list(demo_rows.values())}"
    members = cloud.json("image", "member", "list", image_id)
    assert [(m.get("Member ID"), m.get("Status")) for m in members] == [
        (cloud.state["demo"]["project_id"], "accepted")
    ], members
    cloud.state["shared_accepted"] = True


def test_demo_downloads_shared_image(cloud, tmp_path_factory):
    need(cloud, "shared_accepted")
    shared = cloud.state["shared"]
    out = tmp_path_factory.mktemp("image-shared-save") / "shared.out"
    cloud.ok("image", "save", "--file", str(out), shared["id"], os_env=_demo_env(cloud))
    assert _digests(out)[1] == shared["sha512"], "demo's download of the shared image differs from the upload"


def test_demo_may_not_publicize(cloud, tmp_path_factory):
    need(cloud, "shared_accepted")
    shared_id = cloud.state["shared"]["id"]

    # Not demo's image.
    r = cloud.fails("image", "set", "--public", shared_id, os_env=_demo_env(cloud))
    assert HTTP_403.search(r.stderr), f"expected HTTP 403 in stderr\n{r.describe()}"
    assert cloud.json("image", "show", shared_id).get("visibility") == "shared"

    # Demo's own image: only an admin publicizes.
    data = _random_file(tmp_path_factory.mktemp("image-demo") / "demo.raw", 4096)
    own = cloud.json(
        "image", "create", "--file", str(data["path"]), "--disk-format", "raw", "--container-format", "bare",
        IMAGE_DEMO, os_env=_demo_env(cloud),
    )
    assert own.get("status") == "active", own
    r = cloud.fails("image", "set", "--public", own["id"], os_env=_demo_env(cloud))
    assert HTTP_403.search(r.stderr), f"expected HTTP 403 in stderr\n{r.describe()}"
    assert "public" in r.stderr.lower(), f"expected a message about public visibility\n{r.describe()}"
    assert cloud.json("image", "show", own["id"]).get("visibility") == "shared"

    r = cloud.fails(
        "image", "create", "--public", "--file", str(data["path"]), "--disk-format", "raw",
        "--container-format", "bare", IMAGE_DEMO + "-public", os_env=_demo_env(cloud),
    )
    assert HTTP_403.search(r.stderr), f"expected HTTP 403 in stderr\n{r.describe()}"
    names = [row["Name"] for row in _listed(cloud).values()]
    assert IMAGE_DEMO + "-public" not in names, names


def test_protected_image_cannot_be_deleted(cloud):
    need(cloud, "shared")
    shared_id = cloud.state["shared"]["id"]

    cloud.ok("image", "set", "--protected", IMAGE_SHARED)
    assert cloud.json("image", "show", IMAGE_SHARED).get("protected") is True
    r = cloud.fails("image", "delete", IMAGE_SHARED)
    assert HTTP_403.search(r.stderr), f"expected HTTP 403 in stderr\n{r.describe()}"
    assert "protected" in r.stderr.lower(), f"expected a message saying the image is protected\n{r.describe()}"
    assert cloud.json("image", "show", IMAGE_SHARED).get("status") == "active"

    cloud.ok("image", "set", "--unprotected", IMAGE_SHARED)
    cloud.ok("image", "delete", IMAGE_SHARED)

    for ref in (IMAGE_SHARED, shared_id):
        r = cloud.fails("image", "show", ref)
        assert HTTP_404.search(r.stderr) or "No Image found" in r.stderr, (
            f"expected 404 / 'No Image found'\n{r.describe()}"
        )
    assert shared_id not in _listed(cloud)
    if "demo" in cloud.state:
        assert shared_id not in _listed(cloud, os_env=_demo_env(cloud))


def test_empty_upload_is_refused(cloud, tmp_path_factory):
    """An empty upload is a 400 that names the problem (issue: every bad upload is a 4xx), and the
    CLI removes the image it created; nothing stays behind."""
    empty = tmp_path_factory.mktemp("image-empty") / "empty.raw"
    empty.write_bytes(b"")
    r = cloud.fails(
        "image", "create", "--file", str(empty), "--disk-format", "raw", "--container-format", "bare",
        "stratus-test-empty",
    )
    assert "The image data is empty" in r.stderr, r.describe()
    listed = cloud.json("image", "list", "--name", "stratus-test-empty")
    assert all(image.get("Status") != "active" for image in listed), listed