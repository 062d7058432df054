"""Image uploads that lie or break off, over a raw socket: what no well-behaved client can send.

Each must get a 4xx with a clear message, leave the image queued, and leave no data behind.
"""

from __future__ import annotations

import json
import socket
import urllib.request

import pytest


def _request(cloud, method: str, path: str, token: str, body: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(cloud.server.base_url + path, data=data, method=method)
    req.add_header("X-Auth-Token", token)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=30) as response:
        return response.status, json.loads(response.read() or b"{}")


def _raw_upload(cloud, token: str, image_id: str, declared: int, sent: bytes) -> bytes:
    """Sends an upload declaring `declared` bytes but carrying `sent`, then half-closes and reads the reply."""
    head = (
        f"PUT /image/v2/images/{image_id}/file HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Auth-Token: {token}\r\n"
        f"Content-Type: application/octet-stream\r\nContent-Length: {declared}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", cloud.server.port), timeout=30) as sock:
        sock.sendall(head + sent)
        sock.shutdown(socket.SHUT_WR)
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    return reply


@pytest.fixture(scope="module")
def admin_token(cloud) -> str:
    return cloud.json("token", "issue")["id"]


def test_content_length_longer_than_the_body_is_refused(cloud, admin_token):
    _, image = _request(cloud, "POST", "/image/v2/images", admin_token,
                        {"name": "liar", "disk_format": "raw", "container_format": "bare"})
    reply = _raw_upload(cloud, admin_token, image["id"], declared=100_000, sent=b"x" * 5_000)
    status_line = reply.split(b"\r\n", 1)[0]
    assert status_line.startswith(b"HTTP/1.1 4"), reply[:400]
    body = json.loads(reply.split(b"\r\n\r\n", 1)[1])
    assert "queued" in body["message"] or "completely" in body["message"], body
    _, after = _request(cloud, "GET", f"/image/v2/images/{image['id']}", admin_token)
    assert after["status"] == "queued" and after["size"] is None, after
    images_dir = cloud.data_dir / "images"
    leftovers = [p.name for p in images_dir.rglob("*") if p.is_file()]
    assert not any(image["id"] in name for name in leftovers), leftovers

    # The image still takes a proper upload afterwards.
    reply = _raw_upload(cloud, admin_token, image["id"], declared=5, sent=b"hello")
    assert reply.startswith(b"HTTP/1.1 204"), reply[:400]
    _, done = _request(cloud, "GET", f"/image/v2/images/{image['id']}", admin_token)
    assert done["status"] == "active" and done["size"] == 5, done
