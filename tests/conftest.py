"""Shared fixtures: the public data folder (skipped when absent) and a scratch workspace."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` beside the repo; tests needing it skip when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"public data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture()
def workspace(tmp_path, monkeypatch):
    """An empty workspace folder, also set as TEXTPROFILE_HOME."""
    from textprofile.core.workspace import Workspace

    monkeypatch.setenv("TEXTPROFILE_HOME", str(tmp_path))
    return Workspace.resolve(tmp_path)
