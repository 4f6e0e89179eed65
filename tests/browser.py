"""Headless Chromium for the HTML reports: open a page offline, dump its DOM, take a screenshot, collect console errors.

Skipped where Chromium is not installed, except in CI (CI=true), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

WINDOW = (1200, 1600)
# The reports have no scripts, so any console message is a problem: script errors ("Uncaught ..."), resources the
# page's Content-Security-Policy blocked. Chromium logs them to stderr as `INFO:CONSOLE` / `ERROR:CONSOLE` lines.
CONSOLE_ERRORS = (":CONSOLE", "Uncaught", "Content Security Policy")


def chromium_binary() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("Chromium is required in CI for the HTML report tests: apt-get install -y chromium (see .ci/run)")
    pytest.skip("chromium not installed (apt-get install -y chromium)")


@dataclass
class Rendered:
    dom: str
    screenshot: Path
    console_errors: list[str]


def _run(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess:
    command = [
        chromium_binary(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--proxy-server=127.0.0.1:9",  # any network request would fail (and be logged): the page must need none
        "--enable-logging=stderr", "--v=0", f"--user-data-dir={profile}", f"--window-size={WINDOW[0]},{WINDOW[1]}",
        *extra, page.resolve().as_uri(),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"chromium exited {result.returncode}: {result.stderr[-2000:]}"
    return result


def render_offline(page: Path, screenshot: Path, profile: Path) -> Rendered:
    """Open `page` with the network cut off; its DOM, a screenshot, and the console errors both runs logged."""
    dumped = _run(page, profile / "dom", "--dump-dom")
    shot = _run(page, profile / "shot", f"--screenshot={screenshot}", "--hide-scrollbars")
    errors = [
        line
        for run in (dumped, shot)
        for line in run.stderr.splitlines()
        if any(marker in line for marker in CONSOLE_ERRORS)
    ]
    return Rendered(dumped.stdout, screenshot, errors)


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from the PNG header (IHDR), so no imaging library is needed to check a size."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
