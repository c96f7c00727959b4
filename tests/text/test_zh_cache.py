"""jieba's dictionary cache lives where only we can write, and is never unpickled."""

from __future__ import annotations

import os

import numpy as np

from textprofile.text import zh


def test_world_writable_cache_folder_is_not_used(tmp_path, monkeypatch):
    os.chmod(tmp_path, 0o777)
    monkeypatch.setenv("TEXTPROFILE_CACHE", str(tmp_path))
    assert not str(zh.jieba_cache_dir()).startswith(str(tmp_path))


def test_planted_object_array_is_refused_not_unpickled(tmp_path, monkeypatch):
    monkeypatch.setenv("TEXTPROFILE_CACHE", str(tmp_path))
    os.chmod(tmp_path, 0o700)
    d = zh.jieba_cache_dir()
    ran = []

    class Evil:
        def __reduce__(self):
            return (ran.append, ("pwned",))

    with open(d / zh.LOGP_CACHE, "wb") as f:
        np.savez(f, key=np.array(zh._logp_cache_key()), words=np.array([Evil()], dtype=object),
                 values=np.array([0.0, 0.0]))
    assert zh._read_logp_cache() is None and ran == []
