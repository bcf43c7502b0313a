"""ACT's check on a finished worker: its --verify command, run once by a beat.

A worker that exits 0 may still not have done the work; its verify command
(run in the data dir, whole process group killed at the timeout) says so, and
a failure feeds the world hash. A beat starts checks only within its first
timeout, so it spends at most two on them; the rest wait for the next beat.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

from looop.core.stamps import utc
from looop.fleet import Worker, sessions

TAIL_BYTES = 2000  # of the output, kept with the result


def pending(fleet_root: Path, workers: list[Worker]) -> list[sessions.Session]:
    """Ended workers whose verify has not run yet, oldest first."""
    root = sessions.sessions_dir(fleet_root)
    return [sessions.Session(root / w.id) for w in workers
            if not w.alive and w.verify is not None and w.verify.result == "pending"]


def run_pending(fleet_root: Path, workers: list[Worker], cwd: Path, env: dict[str, str],
                timeout: float) -> list[tuple[str, dict[str, Any]]]:
    """Run the verify of each ended worker that has one still to run, within
    this beat's budget of two timeouts; return (session id, result) for each run."""
    started = time.monotonic()
    done = []
    for session in pending(fleet_root, workers):
        if time.monotonic() - started >= timeout:
            break  # another might run past two timeouts: the next beat runs it
        cmd = sessions.read_json(session.meta).get("verify")
        if isinstance(cmd, str) and cmd:
            done.append((session.id, run_one(session, cmd, cwd, dict(env, LOOOP_SESSION_ID=session.id), timeout)))
    return done


def run_one(session: sessions.Session, cmd: str, cwd: Path, env: dict[str, str], timeout: float) -> dict[str, Any]:
    """Run `cmd` with bash in `cwd`; record pass/fail and the output's tail in the session dir."""
    from looop.core import procgroup
    from looop.core.fsio import atomic_write

    started = time.monotonic()
    timed_out = False
    with open(session.verify_log, "wb") as out:
        try:
            proc = procgroup.spawn(_boxed(["bash", "-c", cmd], env), cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                   stderr=subprocess.STDOUT)
        except OSError as exc:
            out.write(f"looop: cannot run the verify command: {exc.strerror or exc}\n".encode())
            code: int = 127
        else:
            try:
                code = proc.wait(timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
                procgroup.kill(proc.pid, proc)
                code = proc.wait()
            finally:
                procgroup.kill(proc.pid)  # what it left running (or an interrupted check) goes too
    tail = _tail(session.verify_log)
    if timed_out:
        tail += f"\n[looop: killed after {timeout:g}s]"
    result = {"cmd": cmd, "result": "pass" if code == 0 and not timed_out else "fail",
              "exit_code": code if code >= 0 else 128 - code, "timed_out": timed_out,
              "seconds": round(time.monotonic() - started, 3),
              "ran_at": utc(), "tail": tail}
    atomic_write(session.verify_result, json.dumps(result, ensure_ascii=False, indent=1) + "\n")
    return result


def _boxed(argv: list[str], env: dict[str, str]) -> list[str]:
    """The verify command in the box, when on: the data dir read-only except reports/ (§19)."""
    from looop.box.hands import command
    from looop.core.errors import FatalError
    from looop.core.paths import resolve

    try:
        return command(resolve(env), "shell", argv)
    except FatalError as exc:  # an explicit box that cannot run: the check fails, nothing ran
        return ["bash", "-c", f"echo {json.dumps(str(exc))} >&2; exit 126"]


def _tail(path: Path) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - TAIL_BYTES))
            data = fh.read()
    except OSError:
        return ""
    text = data.decode("utf-8", errors="replace")
    if len(data) >= TAIL_BYTES and "\n" in text:
        text = text.split("\n", 1)[1]  # start at a line boundary
    return text.strip()
