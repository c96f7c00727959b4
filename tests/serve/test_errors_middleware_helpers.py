"""The pure helpers behind the error bodies and the body guard."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("fastapi")

from textprofile.serve.auth import TokenCheck
from textprofile.serve.errors import error_body, scrub, text_profile_error
from textprofile.serve.middleware import json_depth


@pytest.mark.parametrize(("body", "depth"), [
    (b"{}", 1), (b'{"texts": ["a", "b"]}', 2), (b'{"texts": ["[[[[", "{{{"]}', 2),
    (b'"just a string"', 0), (b'[[[[]]]]', 4), (b'{"a": "\\"[[["}', 1), (b"[" * 1000 + b"]" * 1000, 1000),
])
def test_json_depth_ignores_brackets_in_strings(body, depth):
    assert json_depth(body) == depth


def test_library_messages_lose_server_paths_but_keep_commands():
    from textprofile.core.errors import NotFoundError, StateError

    e = text_profile_error(NotFoundError("corpus 'x' not found in /srv/data/ws/corpora — run: textprofile load EXPORT --name x"))
    assert e.status == 404 and "/srv" not in e.message and "textprofile load EXPORT --name x" in e.message
    e = text_profile_error(StateError("/home/a/models/x/profiles.duckdb cannot be read (IO Error: '/home/a/x.wal')"))
    assert e.status == 409 and "/home" not in e.message
    assert scrub("ratio 1/2 and a/b stay") == "ratio 1/2 and a/b stay"
    body = json.loads(error_body(422, "see /openapi.json", errors=[]))
    assert body == {"error": "invalid_request", "detail": {"message": "see /openapi.json", "errors": []}}


def test_token_check_matches_exact_tokens_only():
    check = TokenCheck(("a" * 20, "b" * 30))
    assert check.matches("a" * 20) and check.matches("b" * 30)
    assert not check.matches("a" * 19) and not check.matches("a" * 21) and not check.matches("")
    assert not check.matches("a" * 19 + "b")
