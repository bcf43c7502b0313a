"""Helpers for the web inbox tests: `looop serve` as a real process, and the system Chromium."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.helpers import Loop, looop_argv, read_until

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@contextmanager
def served(loop: Loop, *args: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`looop serve --port 0`; yields (the printed login URL, the process)."""
    proc = subprocess.Popen([*looop_argv(), "serve", "--port", "0", *args], cwd=loop.root, env=loop.env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        seen = read_until(proc, "Ctrl-C stops it")
        m = re.search(r"(https?://\S+/login\?t=\S+)", seen)
        assert m, seen
        yield m.group(1), proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def base(url: str) -> str:
    return url.split("/login", 1)[0]


@contextmanager
def browser() -> Iterator[Any]:
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.skip("no system Chromium (apt-get install chromium): the browser tests need it")
    sync = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
    with sync.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
                               args=ARGS)
        try:
            yield b
        finally:
            b.close()
