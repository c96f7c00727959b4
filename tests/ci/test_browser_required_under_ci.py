"""Under CI a browser test without Chromium fails; elsewhere it skips (tests/browser.py)."""

from __future__ import annotations

import pytest
from browser import chromium_or_skip, find_chromium


@pytest.fixture
def no_browser_on_path(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no chromium to find
    assert find_chromium() is None


@pytest.mark.parametrize("value", ["true", "TRUE", "1", "yes"])
def test_missing_chromium_fails_under_ci(no_browser_on_path, monkeypatch, value):
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        chromium_or_skip()


@pytest.mark.parametrize("value", [None, "", "false", "0"])
def test_missing_chromium_skips_outside_ci(no_browser_on_path, monkeypatch, value):
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.skip.Exception, match="not installed"):
        chromium_or_skip()


def test_installed_chromium_is_returned_under_ci(monkeypatch):
    path = find_chromium()
    if path is None:
        pytest.skip("chromium is not installed here; the CI case is covered by the tests above")
    monkeypatch.setenv("CI", "true")
    assert chromium_or_skip() == path


def test_browser_test_file_fails_under_ci_without_chromium(tmp_path):
    """The real browser tests, run as CI runs them but with no chromium on PATH: failed, not skipped."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    tests = Path(__file__).resolve().parents[1]
    env = {**os.environ, "CI": "true", "PATH": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", str(tests / "report" / "test_report_browser.py"), "-q", "-p", "no:cacheprovider"],
        cwd=tests.parent, env=env, capture_output=True, text=True, timeout=600, check=False,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out[-3000:]
    # a fixture that fails is reported as an error: either way not a pass and not a skip
    summary = out.strip().splitlines()[-1]
    assert "error" in summary or "failed" in summary, out[-3000:]
    assert "skipped" not in summary, out[-3000:]  # (the one test there that needs no browser passes)
