"""One real server for the serve tests, on a copy of the shared demo workspace; always stopped."""

from __future__ import annotations

import pytest
from profile_corpus import copy_workspace, demo_workspace

pytest.importorskip("fastapi", reason="the serve extra is not installed: pip install -e '.[test]'")
pytest.importorskip("uvicorn", reason="the serve extra is not installed: pip install -e '.[test]'")


@pytest.fixture(scope="session")
def serve_ws(tmp_path_factory):
    ws0, paths = demo_workspace(tmp_path_factory)
    return copy_workspace(ws0, tmp_path_factory.mktemp("serve") / "ws"), paths


@pytest.fixture(scope="session")
def server(serve_ws, tmp_path_factory):
    from serve_process import Server

    ws, _ = serve_ws
    srv = Server(ws.root, tmp_path_factory.mktemp("serve_log") / "server.log")
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture()
def client(server):
    with server.client() as c:
        yield c
