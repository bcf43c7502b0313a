"""Delivering one notification to one target: an Apprise URL, or `notify_command` with the payload on
stdin, each bounded in time and in what it may print (a target never holds up or floods a beat)."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SEND_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class Target:
    key: str  # stable id in .notified.json (never the URL: it may hold a token)
    label: str  # safe to show
    url: str | None = None
    command: str | None = None



def deliver(target: Target, payload: Mapping[str, Any], env: Mapping[str, str] | None = None,
            timeout: float = SEND_TIMEOUT_S) -> str | None:
    """Send one event to one target within `timeout`; None when it went, else why not."""
    if target.command is not None:
        return _run_command(target.command, payload, env, timeout)
    result: list[str | None] = []
    worker = threading.Thread(target=lambda: result.append(_apprise(str(target.url), payload, timeout)),
                              daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive() or not result:
        return f"no reply within {timeout:g}s"
    return result[0]


def _apprise(url: str, payload: Mapping[str, Any], timeout: float) -> str | None:
    try:
        import apprise
    except ImportError:
        return "the apprise package is not installed (pip install apprise)"
    box = apprise.Apprise()
    if not box.add(url):
        return "not a notification URL apprise understands"
    for server in box:  # one socket budget inside the overall bound
        server.socket_connect_timeout = min(server.socket_connect_timeout or timeout, timeout - 0.5)
        server.socket_read_timeout = min(server.socket_read_timeout or timeout, timeout - 0.5)
    with apprise.LogCapture(level=apprise.logging.WARNING, fmt="%(message)s") as logs:
        ok = box.notify(title=str(payload.get("title", "looop")), body=str(payload.get("text", "")))
        said = [ln.strip() for ln in logs.getvalue().splitlines() if ln.strip()]
    if ok:
        return None
    return (said[-1] if said else "not delivered")[:200]


def _run_command(command: str, payload: Mapping[str, Any], env: Mapping[str, str] | None, timeout: float) -> str | None:
    """Run `notify_command` with the event on stdin, within `timeout`: its stderr
    is kept as a short tail, and its exit is what counts (a daemon it left
    holding stderr is not waited for)."""
    import subprocess

    from looop.core import procgroup

    body = {k: v for k, v in payload.items() if k != "title"}
    try:
        proc = procgroup.spawn(["bash", "-c", command], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, env=dict(env) if env is not None else None)
    except OSError as exc:
        return f"cannot run: {exc.strerror or exc}"
    assert proc.stdin is not None and proc.stderr is not None
    try:
        err = _converse(proc, (json.dumps(body, ensure_ascii=False) + "\n").encode(), timeout)
    finally:
        proc.stdin.close()
        proc.stderr.close()
    if err is None:
        procgroup.kill(proc.pid, proc)
        return f"no reply within {timeout:g}s (killed)"
    if proc.returncode:
        last = err.decode(errors="replace").strip().splitlines()[-1:] or [""]
        return f"exit {proc.returncode}" + (f": {last[0][:160]}" if last[0] else "")
    return None


STDERR_TAIL = 8192  # bytes of a notify_command's stderr kept, for the error line


def _converse(proc: Any, data: bytes, timeout: float) -> bytes | None:
    """Feed `data` to stdin and keep the tail of stderr until the command exits
    (its stderr tail), or None when `timeout` passed first."""
    import selectors

    deadline = time.monotonic() + timeout
    tail = bytearray()
    sel = selectors.DefaultSelector()
    ins, errs = proc.stdin.fileno(), proc.stderr.fileno()
    for fd in (ins, errs):
        os.set_blocking(fd, False)
    sel.register(ins, selectors.EVENT_WRITE)
    sel.register(errs, selectors.EVENT_READ)
    exited = _exit_watch(proc, sel)
    try:
        while proc.poll() is None:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            for key, _ in sel.select(min(left, 0.05 if exited is None else left)):
                if key.fd == ins:
                    try:
                        data = data[os.write(ins, data[:65536]):]
                    except (BrokenPipeError, BlockingIOError) as exc:
                        data = data if isinstance(exc, BlockingIOError) else b""
                    if not data:
                        sel.unregister(ins)
                        proc.stdin.close()
                elif key.fd == errs and not _read_tail(errs, tail, sel):
                    sel.unregister(errs)
        for _ in range(16):  # what stderr holds now; never wait for a daemon that keeps it open
            if errs not in sel.get_map() or not _read_tail(errs, tail, sel):
                break
    finally:
        if exited is not None:
            os.close(exited)
        sel.close()
    return bytes(tail)


def _read_tail(fd: int, tail: bytearray, sel: Any) -> bool:
    """Read one chunk into the bounded tail; False at end of file or nothing there now."""
    try:
        chunk = os.read(fd, 65536)
    except BlockingIOError:
        return False
    tail += chunk
    del tail[:-STDERR_TAIL]
    return bool(chunk)


def _exit_watch(proc: Any, sel: Any) -> int | None:
    """A pidfd that turns readable when the command exits (Linux), so no poll is needed."""
    import selectors

    try:
        fd = os.pidfd_open(proc.pid)  # type: ignore[attr-defined,unused-ignore]
    except (AttributeError, OSError):
        return None
    sel.register(fd, selectors.EVENT_READ)
    return fd
