"""Helpers for the fleet tests: start fake workers, wait on their state, drive
`looop attach` in a real PTY. Every wait is a deadline loop, never a sleep."""

from __future__ import annotations

import json
import re
import shlex
import time
from pathlib import Path
from typing import Any

from ptyprocess import PtyProcess

from looop.core.fsio import read_json_object
from tests.helpers import FAKE_RUNNER, FIXTURES, Loop, looop_argv, wait_for

FAKE_WORKER = FIXTURES / "runners" / "fake-worker"


def use_fake_worker(loop: Loop, *tick_moves: str, interactive: str | None = None, **extra: Any) -> None:
    """Config: the fake runner for beats, the fake worker for workers."""
    tick = " ".join(shlex.quote(w) for w in [str(FAKE_RUNNER), *(tick_moves or ("journal",))])
    loop.write_config(tick, interactive=interactive or f"{shlex.quote(str(FAKE_WORKER))} {{{{prompt_file}}}}",
                      **extra)


def start(loop: Loop, wid: str, *moves: str, prompt: str = "do the thing", env: dict[str, str] | None = None):
    out = loop.run("start-session", "--", wid, prompt, env={"FAKE_WORKER_MOVES": shlex.join(moves), **(env or {})})
    assert out.returncode == 0, out.stdout + out.stderr
    return out


def fleet_root(loop: Loop) -> Path:
    return Path(loop.env.get("LOOOP_FLEET_DIR") or Path(loop.env["LOOOP_DATA_DIR"]) / "fleet")


def session_dir(loop: Loop, wid: str) -> Path:
    return fleet_root(loop) / "sessions" / f"looop-{wid}"


def read(path: Path) -> dict[str, Any]:
    return read_json_object(path) or {}


def status(loop: Loop, wid: str) -> dict[str, Any]:
    return read(session_dir(loop, wid) / "status.json")


def meta(loop: Loop, wid: str) -> dict[str, Any]:
    return read(session_dir(loop, wid) / "meta.json")


def wait_state(loop: Loop, wid: str, *states: str, timeout: float = 10.0) -> dict[str, Any]:
    return wait_for(lambda: status(loop, wid) if status(loop, wid).get("state") in states else None,
                    timeout, f"looop-{wid} to be {'/'.join(states)} (now {status(loop, wid).get('state')})")


def log_text(loop: Loop, wid: str) -> str:
    d = session_dir(loop, wid)
    return b"".join(p.read_bytes() for p in (d / "output.log.1", d / "output.log") if p.exists()).decode(errors="replace")


def wait_output(loop: Loop, wid: str, text: str, timeout: float = 10.0) -> str:
    return wait_for(lambda: log_text(loop, wid) if text in log_text(loop, wid) else None, timeout,
                    f"{text!r} in looop-{wid}'s log")


def gone(pid: int) -> bool:
    """The process has ended (a zombie waiting for its reaper counts as ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state in ("Z", "X")


def ls_json(loop: Loop) -> dict[str, Any]:
    out = loop.call("ls", "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


class Term:
    """`looop <args>` in a real PTY, read into one growing transcript."""

    def __init__(self, loop: Loop, *args: str, rows: int = 24, cols: int = 80, env: dict[str, str] | None = None,
                 argv: list[str] | None = None):
        self.proc = PtyProcess.spawn(argv or [*looop_argv(), *args], cwd=str(loop.root),
                                     env={**loop.env, **(env or {})}, dimensions=(rows, cols))
        self.seen = b""

    def pump(self, timeout: float = 0.05) -> None:
        import select

        while True:
            ready, _, _ = select.select([self.proc.fd], [], [], timeout)
            if not ready:
                return
            try:
                chunk = self.proc.read(65536)
            except EOFError:
                return
            self.seen += chunk
            timeout = 0

    def expect(self, pattern: str | bytes, timeout: float = 10.0) -> re.Match[bytes]:
        pat = re.compile(pattern if isinstance(pattern, bytes) else re.escape(pattern.encode()))
        deadline = time.monotonic() + timeout
        while True:
            m = pat.search(self.seen)
            if m:
                return m
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {pattern!r}; terminal shows:\n"
                                     f"{self.seen[-2000:].decode(errors='replace')}")
            if not self.proc.isalive():
                self.pump(0)
                if not pat.search(self.seen):
                    raise AssertionError(f"attach ended before {pattern!r}; terminal shows:\n"
                                         f"{self.seen[-2000:].decode(errors='replace')}")
            self.pump(0.05)

    def send(self, data: str | bytes) -> None:
        self.proc.write(data.encode() if isinstance(data, str) else data)

    def wait(self, timeout: float = 10.0) -> int:
        """Its exit status, once it ended (reading on, so it never blocks on output)."""
        deadline = time.monotonic() + timeout
        while self.proc.isalive():
            if time.monotonic() > deadline:
                raise AssertionError("the attached looop did not end; terminal shows:\n"
                                     + self.seen[-2000:].decode(errors="replace"))
            self.pump(0.05)
        self.pump(0)
        return self.proc.exitstatus if self.proc.signalstatus is None else 128 + self.proc.signalstatus

    def close(self) -> None:
        if self.proc.isalive():
            self.proc.terminate(force=True)
