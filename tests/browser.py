"""Drive Debian's headless Chromium with the network off: dump the DOM after scripts ran, screenshot.

Tests call ``chromium_or_skip()`` first; it skips with the reason when no browser is installed,
except under CI (``CI`` set to true/1/yes, as ``.ci/run`` is run), where a missing browser fails the
test: the browser tests hold the real-browser XSS checks, and a skipped check must not pass CI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def find_chromium() -> str | None:
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def chromium_or_skip() -> str:
    path = find_chromium()
    if path is None:
        if under_ci():
            pytest.fail("chromium is not installed and CI is set: browser tests must run in CI "
                        "(apt-get install -y chromium fonts-wqy-microhei; see .ci/run's log)", pytrace=False)
        pytest.skip("chromium is not installed (apt-get install -y chromium; .ci/run installs it)")
    return path


def _base_args(binary: str, profile: str) -> list[str]:
    return [
        binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-extensions", "--disable-default-apps", "--no-first-run", "--mute-audio",
        "--hide-scrollbars", f"--user-data-dir={profile}",
        # network off: every request goes to a closed local port
        "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
        "--virtual-time-budget=5000", "--run-all-compositor-stages-before-draw",
    ]


def dump_dom(binary: str, page: Path, timeout: float = 60) -> str:
    """The page's DOM after its scripts ran (``--dump-dom``)."""
    with tempfile.TemporaryDirectory(prefix="tp-chromium-") as profile:
        proc = subprocess.run(
            [*_base_args(binary, profile), "--dump-dom", page.resolve().as_uri()],
            check=False, capture_output=True, text=True, timeout=timeout, encoding="utf-8",
        )
    if proc.returncode != 0 or not proc.stdout.strip():
        raise AssertionError(f"chromium failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return proc.stdout


def screenshot(binary: str, page: Path, out: Path, size: str = "1280,2000", timeout: float = 60) -> Path:
    """A PNG of ``page`` at ``size`` (width,height) saved to ``out``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tp-chromium-") as profile:
        proc = subprocess.run(
            [*_base_args(binary, profile), f"--screenshot={out}", f"--window-size={size}",
             page.resolve().as_uri()],
            check=False, capture_output=True, text=True, timeout=timeout,
        )
    if proc.returncode != 0 or not out.is_file():
        raise AssertionError(f"chromium screenshot failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return out
