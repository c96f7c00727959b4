"""release_freed_memory: freed heap pages go back to the OS (Linux/glibc)."""

from __future__ import annotations

import sys

import pytest

from textprofile.core.memory import release_freed_memory


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="malloc_trim is glibc's")
def test_freed_pages_in_the_middle_of_the_heap_are_returned():
    blocks = [bytes(4000) + bytes([i % 251]) for i in range(60_000)]  # ~240 MB of malloc'd blocks
    keep = blocks[::16]  # one survivor in sixteen: the heap cannot shrink from its top alone
    del blocks
    before = _rss_mb()
    release_freed_memory()
    after = _rss_mb()
    assert len(keep) == 3750
    assert before - after > 100, (before, after)
