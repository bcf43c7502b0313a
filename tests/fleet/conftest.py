"""Fleet tests start real detached processes: none may outlive its test."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest


def _kill_sessions(root: Path) -> None:
    for meta_file in root.rglob("sessions/looop-*/meta.json"):
        try:
            meta = json.loads(meta_file.read_text())
            status = json.loads((meta_file.parent / "status.json").read_text())
        except (OSError, ValueError):
            continue
        worker = status.get("worker_pid")
        if isinstance(worker, int) and worker > 1:
            try:
                if os.getsid(worker) == worker:
                    os.killpg(worker, signal.SIGKILL)
            except OSError:
                pass
        sup = meta.get("supervisor_pid")
        if isinstance(sup, int) and sup > 1:
            try:
                if b"_supervise" in Path(f"/proc/{sup}/cmdline").read_bytes():
                    os.kill(sup, signal.SIGTERM)
            except OSError:
                pass


@pytest.fixture(autouse=True)
def no_stray_workers(tmp_path: Path):
    yield
    _kill_sessions(tmp_path)
