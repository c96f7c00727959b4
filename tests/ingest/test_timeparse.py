"""Every timestamp spelling the issue lists, parsed to UTC; bad values flagged, empty ones not."""

from __future__ import annotations

import numpy as np
import pytest

from textprofile.ingest.timeparse import format_time_iso, parse_times

CASES = [
    ("2024-03-05T10:00:00+08:00", "2024-03-05T02:00:00"),
    ("2024-03-05T10:00:00Z", "2024-03-05T10:00:00"),
    ("2024-03-05T10:00:00.123456Z", "2024-03-05T10:00:00.123456"),
    ("2024-03-05 10:00", "2024-03-05T10:00:00"),
    ("2024-03-05 10:00:07", "2024-03-05T10:00:07"),
    ("2024-03-05", "2024-03-05T00:00:00"),
    ("2024/03/05", "2024-03-05T00:00:00"),
    ("2024/3/5 9:05", "2024-03-05T09:05:00"),
    ("2024.3.5", "2024-03-05T00:00:00"),
    ("20240305", "2024-03-05T00:00:00"),
    ("2024年3月5日", "2024-03-05T00:00:00"),
    ("2024年3月5日 10:05", "2024-03-05T10:05:00"),
    ("2024年03月05日10时05分", "2024-03-05T10:05:00"),
    ("1709632800", "2024-03-05T10:00:00"),
    ("1709632800123", "2024-03-05T10:00:00.123"),
    ("Wed Oct 11 06:55:44 +0000 2017", "2017-10-11T06:55:44"),
    ("Tue Oct 31 22:10:47 -0500 2017", "2017-11-01T03:10:47"),
    ("  2024-03-05  ", "2024-03-05T00:00:00"),
]


@pytest.mark.parametrize("raw,expected", CASES)
def test_formats(raw, expected):
    times, bad = parse_times([raw])
    assert not bad[0]
    assert times[0] == np.datetime64(expected, "us")


def test_mixed_chunk_and_failures():
    raw = [c[0] for c in CASES] + ["", None, "garbage", "2024-13-45", "31/12/2024", "12345"]
    times, bad = parse_times(raw)
    n = len(CASES)
    assert list(bad) == [False] * n + [False, False, True, True, True, True]
    assert all(np.isnat(times[n:]))
    assert [str(t) for t in times[:n]] == [str(np.datetime64(e, "us")) for _, e in CASES]


def test_format_time_iso():
    times, _ = parse_times(["2024-03-05 10:00", None])
    assert format_time_iso(times) == ["2024-03-05T10:00:00.000000Z", ""]


def test_timezone_for_naive_times():
    raw = ["2024-03-05 10:00", "2024年3月5日 10:05", "20240305", "2024-03-05T10:00:00Z", "1709632800",
           "Wed Oct 11 06:55:44 +0000 2017", "2024/3/5 9:05+01:00"]
    times, bad = parse_times(raw, "Asia/Shanghai")
    assert not bad.any()
    assert [str(t) for t in times] == [
        "2024-03-05T02:00:00.000000", "2024-03-05T02:05:00.000000", "2024-03-04T16:00:00.000000",
        "2024-03-05T10:00:00.000000", "2024-03-05T10:00:00.000000", "2017-10-11T06:55:44.000000",
        "2024-03-05T08:05:00.000000"]
