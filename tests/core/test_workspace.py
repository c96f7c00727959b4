"""Workspace resolution and name validation."""

from __future__ import annotations

import pytest

from textprofile.core.errors import ConfigError, NotFoundError
from textprofile.core.workspace import Workspace, check_name


def test_resolve_order(tmp_path, monkeypatch):
    monkeypatch.setenv("TEXTPROFILE_HOME", str(tmp_path / "env"))
    assert Workspace.resolve().root == (tmp_path / "env").resolve()
    assert Workspace.resolve(tmp_path / "flag").root == (tmp_path / "flag").resolve()
    monkeypatch.delenv("TEXTPROFILE_HOME")
    monkeypatch.chdir(tmp_path)
    assert Workspace.resolve().root == tmp_path.resolve()


@pytest.mark.parametrize("bad", ["", "..", "../x", "a/b", "-x", "x" * 65, "名字"])
def test_bad_names_rejected(bad):
    with pytest.raises(ConfigError):
        check_name(bad)


def test_require_messages_name_the_fix(tmp_path):
    ws = Workspace.resolve(tmp_path)
    with pytest.raises(NotFoundError, match="textprofile load"):
        ws.require_corpus("shop")
    with pytest.raises(NotFoundError, match="textprofile fit shop"):
        ws.require_model("shop")


def test_public_api_names_all_resolve():
    import textprofile

    assert set(textprofile.__all__) == set(textprofile._EXPORTS) | {"__version__"}
    for name in textprofile._EXPORTS:
        assert getattr(textprofile, name) is not None
