"""Python jieba's (fallback engine) dictionary cache lives where only we can write."""

from __future__ import annotations

import os

from textprofile.text import zh


def test_world_writable_cache_folder_is_not_used(tmp_path, monkeypatch):
    os.chmod(tmp_path, 0o777)
    monkeypatch.setenv("TEXTPROFILE_CACHE", str(tmp_path))
    assert not str(zh.jieba_cache_dir()).startswith(str(tmp_path))
