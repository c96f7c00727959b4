"""Live data: a rebuilt or updated store is served within a second, with no failed request,
by every worker of ``--workers 2``."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from profile_corpus import NAME, copy_workspace
from serve_process import TOKEN, Server

from textprofile.store.profile_store import ProfileStore


@pytest.fixture()
def swap_server(serve_ws, tmp_path):
    ws0, paths = serve_ws
    ws = copy_workspace(ws0, tmp_path / "ws")
    srv = Server(ws.root, tmp_path / "server.log", "--workers", "2", "--no-warm-up")
    try:
        yield ws, paths, srv
    finally:
        srv.stop()


class Hammer:
    """Threads requesting cards over keep-alive connections until stopped; counts every failure."""

    def __init__(self, url: str, ids: list[str], threads: int = 3):
        self.url, self.ids = url, ids
        self.ok = 0
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(threads)]
        for t in self._threads:
            t.start()

    def _run(self, k: int) -> None:
        with httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30) as c:
            i = k
            while not self._stop.is_set():
                cid = self.ids[i % len(self.ids)]
                i += 1
                path = "/v1/models" if i % 7 == 0 else f"/v1/models/{NAME}/customers/{quote(cid, safe='')}"
                try:
                    r = c.get(path)
                    if r.status_code == 200:
                        self.ok += 1
                    else:
                        self.failures.append(f"{r.status_code} {r.text[:200]}")
                except httpx.HTTPError as e:
                    self.failures.append(repr(e))

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(30)


def _fresh_cards(url: str, cid: str, n: int = 16) -> list[dict]:
    """``n`` cards, each over a new connection (so both workers answer some)."""
    out = []
    for _ in range(n):
        r = httpx.get(f"{url}/v1/models/{NAME}/customers/{quote(cid, safe='')}",
                      headers={"Authorization": f"Bearer {TOKEN}", "Connection": "close"}, timeout=30)
        assert r.status_code == 200, r.text
        out.append(r.json())
    return out


def _deleted_store_fds(pgid: int) -> list[str]:
    """Open descriptors of replaced (deleted) store files in the server's processes."""
    held = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            if os.getpgid(int(pid)) != pgid:
                continue
            for fd in os.listdir(f"/proc/{pid}/fd"):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if "profiles.duckdb" in target and "(deleted)" in target:
                    held.append(target)
        except OSError:
            continue
    return held


def test_rebuild_update_and_rename_are_served_live(swap_server):
    from textprofile.core.config import ProfileConfig
    from textprofile.pipeline.profile import build_profiles
    from textprofile.pipeline.update import update

    ws, paths, srv = swap_server
    with ProfileStore.open(ws, NAME) as store:
        ids = [r[0] for r in store._con.execute("SELECT customer_id FROM customers ORDER BY customer_id").fetchall()]
    cid = ids[0]
    before = _fresh_cards(srv.url, cid, 2)[0]
    assert len(before["keywords"]) == 10
    hammer = Hammer(srv.url, ids)
    try:
        time.sleep(1.0)
        build_profiles(NAME, ProfileConfig(n_keywords=3), ws)  # a new file renamed into place
        time.sleep(1.0)
        assert all(len(c["keywords"]) == 3 for c in _fresh_cards(srv.url, cid))

        result = update(NAME, [paths["new"]], ws)  # patch_store: a patched copy renamed into place
        assert result["comments_added"] > 0
        time.sleep(1.0)
        with ProfileStore.open(ws, NAME) as store:
            expected, total = store.get(cid), store.count()
        assert all(c == expected for c in _fresh_cards(srv.url, cid, 8))
        models = httpx.get(srv.url + "/v1/models", headers={"Authorization": f"Bearer {TOKEN}"}).json()
        assert models["models"][0]["customers"] == total

        from textprofile.topics.fitted import load_model

        top = expected["interests"][0]["topic_id"]
        load_model(ws, NAME).rename_topic(top, "Renamed live")  # labels.json: cards and topics follow
        # up to 15 s: the first store opened after a rename imports the segment describer (numpy,
        # scikit-learn), which took over 3 s on the loaded test machine
        deadline = time.monotonic() + 15.0
        while True:
            cards = _fresh_cards(srv.url, cid, 8)
            if all(c["interests"][0]["label"] == "Renamed live" for c in cards) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert all(c["interests"][0]["label"] == "Renamed live" for c in cards), [c["interests"][0] for c in cards]
        topics = httpx.get(f"{srv.url}/v1/models/{NAME}/topics", headers={"Authorization": f"Bearer {TOKEN}"}).json()
        assert topics["topics"][top]["label"] == "Renamed live"
    finally:
        hammer.stop()
    assert hammer.failures == [], hammer.failures[:5]
    assert hammer.ok > 50
    time.sleep(1.0)
    httpx.get(srv.url + "/healthz")
    assert _deleted_store_fds(srv.proc.pid) == []  # replaced files are closed once their requests end
    assert "now serving the replaced store" in srv.log()


    # a removed store is no longer served, by either worker
    path = Path(ws.model_dir(NAME)) / "profiles.duckdb"
    path.rename(path.with_name("moved.duckdb"))
    time.sleep(1.0)
    for _ in range(6):
        r = httpx.get(f"{srv.url}/v1/models/{NAME}/segments",
                      headers={"Authorization": f"Bearer {TOKEN}", "Connection": "close"})
        assert r.status_code == 404, r.text
        r = httpx.get(f"{srv.url}/v1/models", headers={"Authorization": f"Bearer {TOKEN}", "Connection": "close"})
        assert r.json() == {"models": []}
