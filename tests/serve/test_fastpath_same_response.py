"""The card fast path answers exactly what the FastAPI route answers, and leaves everything
else (errors included) to the route."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

import httpx
import pytest
from profile_corpus import NAME
from serve_process import TOKEN


def _apps(ws):
    from textprofile.serve.app import create_app
    from textprofile.serve.fastpath import CardFastPath
    from textprofile.serve.settings import ServeSettings

    settings = ServeSettings(home=str(ws.root), warm_up=False, cache_mb=0)
    fast = create_app(settings, tokens=(TOKEN,))
    plain = create_app(settings, tokens=(TOKEN,))
    plain.user_middleware = [m for m in plain.user_middleware if m.cls is not CardFastPath]
    assert len(plain.user_middleware) == len(fast.user_middleware) - 1
    return fast, plain


def _ids(ws) -> list[str]:
    from textprofile.store.profile_store import ProfileStore

    with ProfileStore.open(ws, NAME) as store:
        return list(store.export_profiles()["customer_id"])


async def _get_all(app, paths: list[tuple[str, dict]]) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        return [await c.get(p, headers=h) for p, h in paths]


@pytest.fixture(scope="module")
def answers(serve_ws):
    ws, _ = serve_ws
    ids = _ids(ws)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    card = f"/v1/models/{NAME}/customers/"
    paths = [(card + quote(ids[0], safe=""), auth), (card + quote(ids[-1], safe=""), auth),
             (card + "no-such-customer", auth),  # 404 with suggestions
             (card + quote(ids[0], safe=""), {}),  # no token
             (card + quote(ids[0], safe=""), {"Authorization": f"Bearer {TOKEN}x"}),  # wrong token
             (card + quote(ids[0], safe=""), {"Authorization": f"Basic {TOKEN}"}),
             (f"/v1/models/nomodel/customers/{quote(ids[0], safe='')}", auth),
             (card + "x" * 300, auth),  # id too long: 422
             (card + quote(ids[0], safe="") + "?n=3", auth),  # unknown query parameter: 422
             (card + quote(ids[0], safe="") + "/similar", auth)]
    fast, plain = _apps(ws)
    got_fast = asyncio.run(_get_all(fast, paths))
    got_plain = asyncio.run(_get_all(plain, paths))
    fast.state.pool.close()
    plain.state.pool.close()
    return paths, got_fast, got_plain, ids


def test_same_status_body_and_content_type_on_every_path(answers):
    paths, got_fast, got_plain, _ = answers
    statuses = [r.status_code for r in got_fast]
    assert statuses == [200, 200, 404, 401, 401, 401, 404, 422, 422, 200]
    for (path, _), a, b in zip(paths, got_fast, got_plain):
        assert (a.status_code, a.content) == (b.status_code, b.content), path
        assert a.headers["content-type"] == b.headers["content-type"] == "application/json", path
        assert int(a.headers["content-length"]) == len(a.content)


def test_the_fast_answer_is_the_stores_card(serve_ws, answers):
    from textprofile.store.profile_store import ProfileStore

    ws, _ = serve_ws
    _, got_fast, _, ids = answers
    with ProfileStore.open(ws, NAME) as store:
        assert got_fast[0].json() == store.get(ids[0])
        assert got_fast[1].json() == store.get(ids[-1])
