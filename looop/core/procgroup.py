"""Process groups: how every child that may have children of its own is run and ended.

Sensors, the runner and workers each start in a new session, so one signal
reaches everything they spawned; stopping is TERM (and CONT), a grace, then
KILL for the whole group, and "stopped" is said only once no member is left.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from typing import Any

POLL = 0.02


def spawn(argv: list[str], **popen: Any) -> subprocess.Popen[bytes]:
    """Start `argv` as the leader of a new session and process group."""
    return subprocess.Popen(argv, start_new_session=True, **popen)


def send(pgid: int, sig: int) -> bool:
    """Signal the whole group; False when no process of it is left to signal."""
    if pgid <= 1:
        return False
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def members(pgid: int) -> list[int]:
    """Live (not zombie) processes of group `pgid`, from /proc where there is one."""
    if not os.path.isdir("/proc"):
        return [pgid] if send(pgid, 0) else []
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 2 and fields[0] != b"Z" and fields[2] == str(pgid).encode():
            found.append(int(entry))
    return found


def marked(pgid: int, marker: str) -> list[int]:
    """Members of group `pgid` whose environment carries LOOOP_COST_ID=`marker`:
    ours, not a stranger's group that reused the number."""
    found = []
    needle = f"LOOOP_COST_ID={marker}".encode() + b"\0"
    for pid in members(pgid):
        try:
            with open(f"/proc/{pid}/environ", "rb") as fh:
                if needle in fh.read() + b"\0":
                    found.append(pid)
        except OSError:
            continue
    return found


def alive(pgid: int) -> bool:
    return pgid > 1 and bool(members(pgid))


def wait_gone(pgid: int, seconds: float, leader: subprocess.Popen[bytes] | None = None) -> bool:
    """Wait up to `seconds` for the group to empty (reaping our own leader); True when it did."""
    deadline = time.monotonic() + max(0.0, seconds)
    while True:
        if leader is not None:
            leader.poll()
        if not alive(pgid):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL)


def stop(pgid: int, grace: float, leader: subprocess.Popen[bytes] | None = None,
         first: int = signal.SIGTERM, kill_wait: float = 5.0) -> bool:
    """TERM the group (CONT too, so a stopped one hears it), wait `grace`, then
    KILL it; True once no member is left."""
    if not alive(pgid):
        _reap(leader)
        return True
    send(pgid, first)
    if first != signal.SIGKILL:
        send(pgid, signal.SIGCONT)
        if wait_gone(pgid, grace, leader):
            _reap(leader)
            return True
        send(pgid, signal.SIGKILL)
    gone = wait_gone(pgid, kill_wait, leader)
    _reap(leader)
    return gone


def kill(pgid: int, leader: subprocess.Popen[bytes] | None = None) -> None:
    """KILL the group at once (leftovers of a child that is done, or an interrupt)."""
    send(pgid, signal.SIGKILL)
    _reap(leader)


def _reap(leader: subprocess.Popen[bytes] | None) -> None:
    if leader is not None:
        try:
            leader.wait(timeout=5.0)
        except subprocess.TimeoutExpired:
            pass


def leads_session(pid: int) -> bool:
    """Whether `pid` still leads its own session (it was not recycled by something else)."""
    try:
        return os.getsid(pid) == pid
    except OSError:
        return False
