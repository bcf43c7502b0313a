"""Locks: one helper for every flock (`locked`, `hold_fd`, `lock_held`) and the pulse's own lock.

A flock dies with its holder, so no lock here ever needs clearing by hand. The
pulse's lock also records who holds it, and `down`/`prune` check that a pid
really is a looop of ours before they signal it.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from looop.core.errors import ExitStatus, FatalError
from looop.core.fsio import read_text


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def locked(path: Path, *, blocking: bool = True, timeout: float | None = None, shared: bool = False,
           create: bool = True) -> Iterator[bool]:
    """Hold an flock on `path` for the block: True when held, False when another holds it and the caller
    would not wait (`blocking=False`) or waited `timeout` seconds in vain.

    The kernel drops the lock when its holder dies, so there is no stale lock to clean up. `create=False`
    locks a file that must exist (FileNotFoundError otherwise), opened read-only."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600) if create else os.open(path, os.O_RDONLY)
    try:
        yield hold_fd(fd, shared=shared, timeout=None if blocking and timeout is None else timeout or 0.0)
    finally:
        os.close(fd)  # closing drops the lock


def hold_fd(fd: int, *, shared: bool = False, timeout: float | None = None) -> bool:
    """Take an flock on an open file: wait for it (`timeout=None`), or try for `timeout` seconds (0: once).

    For a lock that outlives a block: the pulse's, and a worker's "alive" lock its supervisor inherits."""
    mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
    if timeout is None:
        fcntl.flock(fd, mode)
        return True
    import time

    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)


def lock_held(path: Path, *, shared: bool = False) -> bool | None:
    """Does a process hold an flock on `path`? None when the file cannot be opened.

    A probe: it takes the lock and drops it at once. `shared=True` probes with a shared lock, so it sees only
    an exclusive holder and two probes never see each other."""
    try:
        with locked(path, blocking=False, shared=shared, create=False) as got:
            return not got
    except OSError:
        return None


class PulseLock:
    """Single instance per data dir: `.lock/pid`, held with flock.

    The kernel drops the flock when its holder dies, so a lock left by a
    killed pulse is reclaimed by the next one with no race to lose.
    """

    def __init__(self, lock_dir: Path) -> None:
        self.lock_dir = lock_dir
        self.pid_file = lock_dir / "pid"
        self._fd: int | None = None

    def holder(self) -> int | None:
        """The pid of the process holding the lock, checked to really hold it.

        The file's text alone is never trusted (after a kill -9 it names a
        pid the system may reuse; a worker may overwrite it): where the kernel
        lists its locks (/proc/locks) the holder is read from there; elsewhere
        the named pid must be alive and be a looop process."""
        try:
            inode = os.stat(self.pid_file).st_ino
        except OSError:
            return None
        listed = _flock_holders(inode)
        if listed is not None:
            return min(listed) if listed else None
        text = read_text(self.pid_file, "", 64).strip()
        if not text.isdigit() or not pid_alive(int(text)):
            return None
        return int(text) if _is_looop(int(text)) else None

    def acquire(self) -> bool:
        """Take the lock; False when a live process holds it."""
        self.lock_dir.mkdir(parents=True, exist_ok=True)
        while True:
            fd = os.open(self.pid_file, os.O_RDWR | os.O_CREAT, 0o644)
            if not hold_fd(fd, timeout=0):
                os.close(fd)
                return False
            # The file might have been replaced between open and flock.
            try:
                same = os.stat(self.pid_file).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            os.ftruncate(self._fd, 0)
        finally:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "PulseLock":
        if not self.acquire():
            pid = self.holder()
            who = f"pid {pid}" if pid else "another process"
            raise FatalError(f"another looop is running on this data dir ({who}); not starting", ExitStatus.FAILED)
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _flock_holders(inode: int) -> set[int] | None:
    """Pids holding an flock on the file with this inode, from /proc/locks; None where there is no such list."""
    try:
        with open("/proc/locks", "rb") as fh:
            table = fh.read().decode(errors="replace")
    except OSError:
        return None
    found = set()
    for row in table.splitlines():
        fields = row.split()
        if len(fields) >= 6 and fields[1] == "FLOCK" and fields[4].isdigit():
            if fields[5].rsplit(":", 1)[-1] == str(inode) and pid_alive(int(fields[4])):
                found.add(int(fields[4]))
    return found


def _is_looop(pid: int) -> bool:
    """The process's command line names looop (where `ps` can tell)."""
    import subprocess

    try:
        out = subprocess.run(["ps", "-p", str(pid), "-o", "command="], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return False
    return "looop" in out.stdout
