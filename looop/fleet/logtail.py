"""Reading a session's PTY log from the side, without ever touching the session.

The supervisor appends to `output.log` and rotates it into `output.log.1`;
a follower reads only the tail on open and then only what was appended, and
notices rotation, truncation and a vanished session dir instead of failing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPLAY_BYTES = 16 << 20  # how much of the log's tail a view replays at most
FIRST_FRAME_BYTES = 96 << 10  # replayed before the first frame; the rest fills scrollback after
_LINE_SEARCH = 64 << 10  # how far past a cut to look for a line start


def _read_range(path: Path, start: int, end: int | None = None) -> bytes:
    """Bytes [start, end) of a regular file; b"" for anything else (a FIFO is never waited on)."""
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return b""
    try:
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                return b""
            fh.seek(max(start, 0))
            return fh.read() if end is None else fh.read(max(end - start, 0))
    except OSError:
        return b""


def tail(log: Path, old: Path, limit: int = REPLAY_BYTES) -> bytes:
    """The last `limit` bytes of old + current, starting at a line boundary
    when cut (so the replay does not begin inside an escape sequence)."""
    try:
        size = log.stat().st_size
    except OSError:
        size = 0
    data = _read_range(log, max(0, size - limit))
    if len(data) < limit:
        try:
            old_size = old.stat().st_size
        except OSError:
            old_size = 0
        want = limit - len(data)
        data = _read_range(old, max(0, old_size - want)) + data
        cut = old_size > want
    else:
        cut = size > limit
    return line_start(data) if cut else data


def line_start(data: bytes) -> bytes:
    """`data` from just after its first newline (within reach), else from its
    first escape character, else whole."""
    nl = data.find(b"\n", 0, _LINE_SEARCH)
    if nl >= 0:
        return data[nl + 1:]
    esc = data.find(b"\x1b", 0, _LINE_SEARCH)
    return data[esc:] if esc > 0 else data


def split_for_first_frame(data: bytes, first: int = FIRST_FRAME_BYTES) -> tuple[bytes, bytes]:
    """(older part, newest part): the newest part alone draws the first frame."""
    if len(data) <= first:
        return b"", data
    newest = line_start(data[len(data) - first:])
    return data[: len(data) - len(newest)], newest


def last_lines(data: bytes, count: int) -> bytes:
    """The end of `data` holding its last `count` lines (they make at least
    that many rows): older bytes could only scroll out of the scrollback."""
    end = len(data) - 1 if data.endswith(b"\n") else len(data)
    for _ in range(count):
        end = data.rfind(b"\n", 0, end)
        if end < 0:
            return data
    return data[end + 1:]


@dataclass
class Follower:
    """What was appended to a session's log since the last look."""

    log: Path
    old: Path
    inode: int | None = None
    offset: int = 0
    gone: bool = False

    def open(self, limit: int = REPLAY_BYTES) -> bytes:
        """Start following: the log's tail as it is now."""
        try:
            st = self.log.stat()
            self.inode, self.offset = st.st_ino, st.st_size
        except OSError:
            self.inode, self.offset = None, 0
        self.gone = not self.log.parent.is_dir()
        return tail(self.log, self.old, limit)

    def poll(self) -> tuple[bytes, bool]:
        """(new bytes, restart): restart means the log was truncated or
        replaced in a way that cannot be continued: replay from scratch."""
        try:
            st = self.log.stat()
        except FileNotFoundError:
            self.gone = not self.log.parent.is_dir()
            return b"", False
        except OSError:
            return b"", False
        self.gone = False
        if self.inode is None:
            self.inode, self.offset = st.st_ino, 0
        if st.st_ino != self.inode:  # rotated: finish the old file, then the new one
            try:
                old_st = self.old.stat()
            except OSError:
                old_st = None
            if old_st is None or old_st.st_ino != self.inode or old_st.st_size < self.offset:
                self.inode, self.offset = st.st_ino, st.st_size
                return b"", True
            rest = _read_range(self.old, self.offset)
            self.inode, self.offset = st.st_ino, 0
            new = _read_range(self.log, 0)
            self.offset = len(new)
            return rest + new, False
        if st.st_size < self.offset:  # truncated in place
            self.offset = st.st_size
            return b"", True
        if st.st_size == self.offset:
            return b"", False
        data = _read_range(self.log, self.offset, st.st_size)
        self.offset += len(data)
        return data, False


def mtime(path: Path) -> float | None:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return None
