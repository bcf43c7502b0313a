"""The control socket: how `attach` and `kill` talk to a worker's supervisor.

Frames are one type byte, a 4-byte big-endian length and the payload. The
first frame a client sends is a JSON hello saying what it wants. The socket
sits in a 0700 directory and is itself 0600: only its owner may drive the
worker. Long paths (beyond AF_UNIX's ~107 bytes) are reached relative to
their directory.
"""

from __future__ import annotations

import json
import os
import socket
import struct
from pathlib import Path
from typing import Any, Callable

HELLO = b"h"  # client → supervisor: {"op": "attach", "rows", "cols"} | {"op": "kill", "grace"}
REPLY = b"j"  # supervisor → client: {"ok": true, ...} or {"ok": false, "error"}
OUTPUT = b"o"  # supervisor → client: raw bytes from the PTY
INPUT = b"i"  # client → supervisor: raw keystrokes for the PTY
RESIZE = b"r"  # client → supervisor: rows, cols (two unsigned shorts)
EXIT = b"x"  # supervisor → client: {"state", "exit_code"}; the worker is gone

_HEAD = struct.Struct("!cI")
MAX_FRAME = 1 << 20
_SUN_PATH_MAX = 100  # under every platform's sockaddr_un limit


class ProtocolError(Exception):
    pass


def frame(kind: bytes, payload: bytes = b"") -> bytes:
    return _HEAD.pack(kind, len(payload)) + payload


def json_frame(kind: bytes, value: dict[str, Any]) -> bytes:
    return frame(kind, json.dumps(value).encode())


def resize_frame(rows: int, cols: int) -> bytes:
    return frame(RESIZE, struct.pack("!HH", max(1, min(rows, 65535)), max(1, min(cols, 65535))))


def parse_resize(payload: bytes) -> tuple[int, int]:
    if len(payload) != 4:
        raise ProtocolError("bad resize frame")
    rows, cols = struct.unpack("!HH", payload)
    return rows, cols


def parse_json(payload: bytes) -> dict[str, Any]:
    try:
        value = json.loads(payload)
    except ValueError:
        raise ProtocolError("bad JSON frame") from None
    if not isinstance(value, dict):
        raise ProtocolError("JSON frame is not an object")
    return value


class Reader:
    """Cuts a byte stream into (kind, payload) frames."""

    def __init__(self) -> None:
        self.buf = bytearray()

    def feed(self, data: bytes) -> list[tuple[bytes, bytes]]:
        self.buf += data
        out = []
        while len(self.buf) >= _HEAD.size:
            kind, size = _HEAD.unpack_from(self.buf)
            if size > MAX_FRAME:
                raise ProtocolError(f"frame of {size} bytes is too large")
            if len(self.buf) < _HEAD.size + size:
                break
            out.append((kind, bytes(self.buf[_HEAD.size:_HEAD.size + size])))
            del self.buf[:_HEAD.size + size]
        return out


def _near(path: Path, act: Callable[[str], None]) -> None:
    """Run `act` on a socket path, going through its directory when it is too long."""
    if len(os.fsencode(str(path))) < _SUN_PATH_MAX:
        act(str(path))
        return
    here = os.open(".", os.O_RDONLY)
    try:
        os.chdir(path.parent)
        act(path.name)
    finally:
        os.fchdir(here)
        os.close(here)


def listen(path: Path) -> socket.socket:
    """Bind the owner-only control socket (its directory made 0700 first)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)
    try:
        _near(path, sock.bind)
    finally:
        os.umask(old)
    os.chmod(path, 0o600)
    sock.listen(16)
    return sock


def from_a_box(sock: socket.socket) -> bool:
    """Whether the peer runs in another pid namespace than this process: every box has
    its own, so a boxed hand that finds a worker's or the pulse's socket on the
    (read-only, but connectable) filesystem is turned away. Linux: the kernel says who
    connected (SO_PEERCRED); where it cannot, nobody is turned away."""
    if not hasattr(socket, "SO_PEERCRED"):
        return False
    try:
        pid = struct.unpack("3i", sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))[0]
        if pid <= 0:
            return True  # a peer whose pid this namespace cannot name lives in another one
        return os.readlink(f"/proc/{pid}/ns/pid") != os.readlink("/proc/self/ns/pid")
    except OSError:
        return True  # gone already, or not ours to read: not let in


def connect(path: Path, timeout: float | None = 5.0) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        _near(path, sock.connect)
    except OSError:
        sock.close()
        raise
    return sock
