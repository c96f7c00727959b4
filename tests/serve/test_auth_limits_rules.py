"""Auth and input rules: each hostile request gets its documented 4xx and the server keeps serving."""

from __future__ import annotations

import json
import socket

import pytest
from profile_corpus import NAME
from serve_process import OTHER_TOKEN, TOKEN
from typer.testing import CliRunner

from textprofile.cli.app import app

CARD = f"/v1/models/{NAME}/segments"


def _error(r, status: int, code: str) -> dict:
    assert r.status_code == status, (r.status_code, r.text)
    body = r.json()
    assert set(body) == {"error", "detail"} and body["error"] == code
    assert "Traceback" not in r.text and "/tmp" not in r.text and "site-packages" not in r.text
    return body


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Bearer wrong-token-0123456789abcdef"},
    {"Authorization": f"Bearer {TOKEN[:-1]}"},  # one character short
    {"Authorization": f"Bearer {TOKEN[:-1]}g"},  # one character off
    {"Authorization": f"Bearer {TOKEN}x"},
    {"Authorization": f"Basic {TOKEN}"},
    {"Authorization": "Bearer"},
    {"Authorization": TOKEN},
])
def test_bad_tokens_are_401(server, headers):
    import httpx

    for path in ("/v1/models", CARD, f"/v1/models/{NAME}/customers/x", f"/v1/models/{NAME}/topics"):
        r = httpx.get(server.url + path, headers=headers)
        _error(r, 401, "unauthorized")
        assert r.headers["www-authenticate"] == "Bearer"
    r = httpx.post(server.url + f"/v1/models/{NAME}/infer", json={"texts": ["x"]}, headers=headers)
    _error(r, 401, "unauthorized")
    assert server.alive()


def test_every_configured_token_works(server):
    for token in (TOKEN, OTHER_TOKEN):
        with server.client(token) as c:
            assert c.get("/v1/models").status_code == 200


def _raw_get(server, target: str) -> tuple[int, bytes]:
    """A GET with the request target sent byte for byte (clients normalise ``..``)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as s:
        s.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n"
                  "Connection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


@pytest.mark.parametrize("target", [
    "/v1/models/../topics", "/v1/models/..%2F..%2Fcorpora/topics", "/v1/models/%2e%2e/topics",
    "/v1/models/..%2f..%2f..%2fetc%2fpasswd/segments", "/v1/models/.hidden/topics",
    "/v1/models/a%00b/topics", f"/v1/models/{NAME}%2F..%2F{NAME}/segments",
])
def test_path_traversal_in_model_name(server, target):
    status, body = _raw_get(server, target)
    assert status in (404, 422), (status, body)
    parsed = json.loads(body)
    assert parsed["error"] in ("not_found", "invalid_request")
    assert b"passwd" not in body.replace(b"etc%2fpasswd", b"") or status == 422
    assert server.alive()


def test_ten_megabyte_body_is_413(server, client):
    body = json.dumps({"texts": ["充电器" * 1000] * 1200}).encode()
    assert len(body) > 10_000_000
    r = client.post(f"/v1/models/{NAME}/infer", content=body, headers={"content-type": "application/json"})
    _error(r, 413, "payload_too_large")

    def chunks():  # no Content-Length: counted while it arrives
        for i in range(0, len(body), 65536):
            yield body[i:i + 65536]

    r = client.post(f"/v1/models/{NAME}/infer", content=chunks(), headers={"content-type": "application/json"})
    _error(r, 413, "payload_too_large")
    assert server.alive()
    assert client.get(CARD).status_code == 200


def test_deeply_nested_and_malformed_json(server, client):
    for depth in (100, 100_000):
        nested = "[" * depth + "]" * depth
        r = client.post(f"/v1/models/{NAME}/infer", content=f'{{"texts": {nested}}}',
                        headers={"content-type": "application/json"})
        _error(r, 400, "bad_request")
    r = client.post(f"/v1/models/{NAME}/infer", content=b'{"texts": ["a",', headers={"content-type": "application/json"})
    _error(r, 400, "bad_request")
    assert server.alive()


def test_schema_violations_are_422(server, client):
    infer = f"/v1/models/{NAME}/infer"
    for payload in ({"texts": ["a"], "extra": 1}, {"texts": "a"}, {"texts": []}, {"texts": ["a"] * 1001},
                    {"texts": [1, 2]}, {"texts": ["a"], "keywords": 51}, {"text": ["a"]}):
        body = _error(client.post(infer, json=payload), 422, "invalid_request")
        assert all(set(e) == {"loc", "msg", "type"} for e in body["detail"]["errors"])  # no input echoed
    cust = f"/v1/models/{NAME}/customers/"
    _error(client.get(cust + "x" * 257), 422, "invalid_request")
    _error(client.get(cust + "x/similar", params={"n": 0}), 422, "invalid_request")
    _error(client.get(cust + "x/similar", params={"n": 101}), 422, "invalid_request")
    _error(client.get(cust + "x/similar", params={"n": "ten"}), 422, "invalid_request")
    body = _error(client.get(cust + "x/similar", params={"n": 3, "metric": "cosine"}), 422, "invalid_request")
    assert body["detail"]["unknown"] == ["metric"]
    _error(client.get("/v1/models", params={"limit": 3}), 422, "invalid_request")
    _error(client.get("/v1/nothing"), 404, "not_found")
    _error(client.delete(CARD), 405, "method_not_allowed")
    assert server.alive()


def test_access_log_has_templates_never_tokens_or_ids(server, client):
    secret_id = "SECRET-CUSTOMER-ID-42"
    client.get(f"/v1/models/{NAME}/customers/{secret_id}")
    client.post(f"/v1/models/{NAME}/infer", json={"texts": ["my private words 充电器"]})
    import time

    for _ in range(50):  # log lines are written by a thread, a moment after the response
        log = server.log()
        if "POST /v1/models/{model}/infer 200" in log:
            break
        time.sleep(0.1)
    assert "GET /v1/models/{model}/customers/{customer_id} 404" in log
    assert "POST /v1/models/{model}/infer 200" in log
    assert TOKEN not in log and OTHER_TOKEN not in log
    assert secret_id not in log and "private words" not in log


runner = CliRunner()


@pytest.mark.parametrize(("args", "env", "expected"), [
    (["--host", "0.0.0.0"], None, "without API tokens"),
    (["--host", "0.0.0.0", "--no-auth"], None, "loopback"),
    (["--host", "0.0.0.0", "--no-auth"], TOKEN, "loopback"),
    ([], None, "--no-auth"),
    ([], "short", "shorter than 16"),
    (["--model", "nomodel", "--no-auth"], None, "profile build nomodel"),
    (["--model", "../x", "--no-auth"], None, "invalid name"),
    (["--workers", "0", "--no-auth"], None, "--workers"),
])
def test_unsafe_or_impossible_start_is_refused_in_one_line(serve_ws, monkeypatch, args, env, expected):
    ws, _ = serve_ws
    monkeypatch.delenv("TEXTPROFILE_API_TOKENS", raising=False)
    if env:
        monkeypatch.setenv("TEXTPROFILE_API_TOKENS", env)
    r = runner.invoke(app, ["serve", "--home", str(ws.root), "--port", "1", *args])
    assert r.exit_code == 1, r.output
    assert expected in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "Traceback" not in r.output


def test_port_in_use_is_one_line(serve_ws, server, monkeypatch):
    ws, _ = serve_ws
    monkeypatch.setenv("TEXTPROFILE_API_TOKENS", TOKEN)
    r = runner.invoke(app, ["serve", "--home", str(ws.root), "--port", str(server.port)])
    assert r.exit_code == 1 and "another --port" in r.stderr
