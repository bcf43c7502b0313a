"""File operations the loop's trust rests on: nothing half-written, ever.

State files are replaced atomically (temp file + rename); journal, events and
ledger appends are single O_APPEND writes of whole lines, safe under
concurrent writers; the pulse lock is an flock that dies with its holder.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, overload

TEMP_MARK = ".looop-"  # in every temp name atomic_write makes, so the sweep knows its own


def atomic_write(path: Path, data: str | bytes, mode: int | None = None, durable: bool = True) -> None:
    """Replace `path` with `data` so readers see the old or the new, never half.

    `durable=False` skips the fsync: for a hint rewritten every beat, where a
    crash may lose the newest version but never leaves a torn one."""
    raw = data.encode() if isinstance(data, str) else data
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}{TEMP_MARK}", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        elif path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def move_aside(source: Path, target: Path) -> Path:
    """Move `source` to `target`, or to `target` numbered (`x.2.md`, `x.3.md`, …)
    when that name is taken: nothing already there is ever replaced. Returns
    where it went."""
    stem, suffix = (target.stem, target.suffix) if target.suffix else (target.name, "")
    for n in range(1, 10_000):
        where = target if n == 1 else target.with_name(f"{stem}.{n}{suffix}")
        try:
            os.link(source, where)  # fails if the name is taken: no race can clobber
        except FileExistsError:
            continue
        os.unlink(source)
        return where
    raise OSError(errno.EEXIST, f"no free name for {target}")


def keep_copy(source: Path, target: Path) -> Path:
    """Copy `source` to `target`, or to `target` numbered when taken; returns where it went."""
    raw = source.read_bytes()
    stem, suffix = (target.stem, target.suffix) if target.suffix else (target.name, "")
    for n in range(1, 10_000):
        where = target if n == 1 else target.with_name(f"{stem}.{n}{suffix}")
        try:
            fd = os.open(where, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        return where
    raise OSError(errno.EEXIST, f"no free name for {target}")


def sweep_temps(directory: Path, older_than: float = 60.0) -> list[Path]:
    """Remove temp files a killed atomic_write left behind: only names it makes
    (`.<name>.looop-XXXXXXXX.tmp`), never a fresh one, never the user's."""
    import re
    import time

    removed: list[Path] = []
    cutoff = time.time() - older_than
    ours = re.compile(r"\..+" + re.escape(TEMP_MARK) + r"[a-z0-9_]{8}\.tmp")
    try:
        candidates = [p for p in directory.glob(".*.tmp") if ours.fullmatch(p.name)]
    except OSError:
        return removed
    for tmp in candidates:
        try:
            if tmp.is_file() and tmp.stat().st_mtime < cutoff:
                tmp.unlink()
                removed.append(tmp)
        except OSError:
            pass
    return removed


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def append_line(path: Path, line: str) -> None:
    """Append one whole line with a single write(2) on an O_APPEND descriptor.

    Something at `path` that is not a regular file (a FIFO) is skipped with a
    warning, never written to blocking."""
    raw = (line.rstrip("\n") + "\n").encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        if exc.errno not in (errno.ENXIO, errno.EISDIR):  # a FIFO nobody reads, a directory
            raise
        skipped(path)
        return
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            skipped(path)
            return
        written = os.write(fd, raw)
        if written != len(raw):  # pragma: no cover - only on a full disk
            raise OSError(errno.ENOSPC, f"short write to {path}")
    finally:
        os.close(fd)


_WARNED: set[str] = set()


def skipped(path: Path, kind: str = "") -> None:
    """Say once per process, on stderr, that a file was passed over because it is not a regular file."""
    import sys

    key = str(path)
    if key in _WARNED:
        return
    _WARNED.add(key)
    from looop.core.untrusted import one_line

    kind = kind or file_kind(path) or "not a regular file"
    print(f"looop: skipped {one_line(key)}: it is {kind}, not a regular file", file=sys.stderr, flush=True)


def open_regular(path: Path) -> BinaryIO | None:
    """A regular file opened for binary reading, or None when it is missing or
    is something else (a FIFO, a device, a socket: skipped with a warning).
    Never blocks: the open is non-blocking and the kind checked on the descriptor."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        if exc.errno not in (errno.ENXIO, errno.EISDIR):
            raise
        skipped(path)
        return None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        skipped(path)
        return None
    return os.fdopen(fd, "rb")


def file_kind(path: Path) -> str:
    """'' for a regular file (or a link to one) or nothing at all; else what it is instead."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "a dangling symlink" if os.path.islink(path) else ""
    except OSError:
        return ""
    if stat.S_ISREG(mode):
        return ""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a socket" if stat.S_ISSOCK(mode) else "not a regular file"


def read_bytes(path: Path, limit: int | None = None) -> bytes | None:
    """A regular file's bytes (the first `limit` of them), or None when it is
    missing or is not a regular file. Never blocks: a FIFO or a device is
    opened non-blocking and refused (say so with `file_kind`)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a socket, or a FIFO's other end
            skipped(path)
            return None
        raise
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            if not stat.S_ISDIR(mode):
                skipped(path)
            return None
        chunks = []
        left = limit
        while left is None or left > 0:
            chunk = os.read(fd, 1 << 20 if left is None else min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            if left is not None:
                left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


@overload
def read_text(path: Path, default: str, limit: int | None = None) -> str: ...


@overload
def read_text(path: Path, default: None = None, limit: int | None = None) -> str | None: ...


def read_text(path: Path, default: str | None = None, limit: int | None = None) -> str | None:
    """A file's text (its first `limit` bytes), or `default` when it does not
    exist or is not a regular file (never blocking on a FIFO)."""
    raw = read_bytes(path, limit)
    return default if raw is None else raw.decode("utf-8", errors="replace")


def read_json_object(path: Path) -> dict[str, Any] | None:
    """A small state file's JSON object, or None if it is missing, unreadable or not an object."""
    import json

    try:
        raw = read_bytes(path, STATE_MAX_BYTES)
        data = json.loads(raw) if raw is not None else None
    except (OSError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


STATE_MAX_BYTES = 1 << 20  # no state file of looop's own is near this


def tail_lines(path: Path, count: int, chunk: int = 8192) -> list[str]:
    """The last `count` lines of a file, read backwards from its end.

    The cost depends on `count`, never on how long the file has grown.
    """
    fh = open_regular(path)
    if fh is None:
        return []
    with fh:
        fh.seek(0, os.SEEK_END)
        pos = fh.tell()
        buf = b""
        while pos > 0 and buf.count(b"\n") <= count:
            step = min(chunk, pos)
            pos -= step
            fh.seek(pos)
            buf = fh.read(step) + buf
    lines = buf.decode("utf-8", errors="replace").splitlines()
    if pos > 0:
        lines = lines[1:]  # the first one may be cut
    return [ln for ln in lines if ln.strip()][-count:] if count else []


def lines_backwards(path: Path, chunk: int = 65536) -> Iterator[str]:
    """Yield a file's lines from the last to the first, reading from the end."""
    fh = open_regular(path)
    if fh is None:
        return
    with fh:
        fh.seek(0, os.SEEK_END)
        pos = fh.tell()
        rest = b""
        while pos > 0:
            step = min(chunk, pos)
            pos -= step
            fh.seek(pos)
            block = fh.read(step) + rest
            parts = block.split(b"\n")
            rest = parts[0]
            for raw in reversed(parts[1:]):
                if raw:
                    yield raw.decode("utf-8", errors="replace")
        if rest:
            yield rest.decode("utf-8", errors="replace")
