"""`looop attach`: put this terminal on a worker's PTY, and take it back.

Raw mode, recent output replayed first, the window size forwarded (also on
SIGWINCH). Ctrl-\\ is the escape key: pressed twice within DETACH_WINDOW it
detaches and leaves the worker running; a lone one is dropped, never sent on,
because in the worker's terminal it would be SIGQUIT and kill it.
"""

from __future__ import annotations

import os
import selectors
import signal
import sys
import termios
import time
import tty

from looop.core.errors import ExitStatus, FatalError
from looop.fleet import control
from looop.fleet.sessions import Session, log_tail, worker

DETACH_KEY = 0x1C  # Ctrl-\
DETACH_WINDOW = 3.0  # seconds within which the second Ctrl-\ must come (generous: no race)
CONNECT_WAIT = 5.0
DETACH_RULE = (f"Ctrl-\\ twice detaches (within {DETACH_WINDOW:g} s); "
               "a single Ctrl-\\ is not sent to the worker")


def window_size(fd: int) -> tuple[int, int]:
    try:
        size = os.get_terminal_size(fd)
        return size.lines, size.columns
    except OSError:
        return 24, 80


def show_finished(session: Session, out: int) -> int:
    """A finished session: its last output and how it ended."""
    w = worker(session)
    tail = log_tail(session)
    if tail:
        _write_all(out, tail + (b"" if tail.endswith(b"\n") else b"\r\n"))
    how = {"dead": "is dead (its supervisor is gone)", "killed": "was killed"}.get(w.state, "has exited")
    code = f" with exit code {w.exit_code}" if w.exit_code is not None else ""
    print(f"looop: {session.name} {how}{code}; `looop prune` clears it", file=sys.stderr, flush=True)
    return 0


def _connect(session: Session):
    deadline = time.monotonic() + CONNECT_WAIT
    while True:
        try:
            return control.connect(session.sock)
        except OSError:
            if not worker(session).alive or time.monotonic() > deadline:
                return None
            time.sleep(0.05)


def attach(session: Session, user_cmd: str = "looop", read_only: bool = False) -> int:
    """Attach until detach (0) or the worker's end (its exit code). `read_only`
    (the pulse): keys are never sent, Ctrl-C detaches, and it says how to stop it."""
    stdin, stdout = sys.stdin.fileno(), sys.stdout.fileno()
    if not worker(session).alive:
        return show_finished(session, stdout)
    if not os.isatty(stdin):
        raise FatalError(f"attach needs a terminal, and stdin is not one; {session.id} keeps running "
                         f"(its output so far: {session.log})", ExitStatus.FAILED)
    sock = _connect(session)
    if sock is None:
        return show_finished(session, stdout)
    is_tty = os.isatty(stdin)
    rows, cols = window_size(stdin if is_tty else stdout)
    sock.settimeout(None)
    sock.sendall(control.json_frame(control.HELLO, {"op": "attach", "rows": rows, "cols": cols}))
    saved = termios.tcgetattr(stdin) if is_tty else None
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    old_wakeup = signal.set_wakeup_fd(wake_w)
    old_winch = signal.signal(signal.SIGWINCH, lambda *_: None)
    try:
        if saved is not None:
            tty.setraw(stdin, termios.TCSANOW)  # TCSANOW: keep what was typed ahead
        rule = f"read-only, Ctrl-C or {DETACH_RULE}; `{user_cmd} down` stops it" if read_only else DETACH_RULE
        print(f"[looop] attached to {session.name}; {rule}\r", file=sys.stderr, flush=True)
        result = _pump(sock, stdin, stdout, wake_r, is_tty,
                       read_only=f"[looop] {session.name} is read-only here: keys are not sent. "
                                 f"Ctrl-C detaches; `{user_cmd} down` stops it\r\n" if read_only else "")
    finally:
        if saved is not None:
            termios.tcsetattr(stdin, termios.TCSADRAIN, saved)
        signal.signal(signal.SIGWINCH, old_winch)
        signal.set_wakeup_fd(old_wakeup)
        for fd in (wake_r, wake_w):
            os.close(fd)
        sock.close()
    if result is None:
        print(f"\r\n[looop] detached from {session.name}; it keeps running. Again: {user_cmd} attach {session.name}",
              file=sys.stderr, flush=True)
        return 0
    state, code = result
    if state == "lost":
        w = worker(session)
        state, code = w.state, (w.exit_code if w.exit_code is not None else 1)
    print(f"\r\n[looop] {session.name} {state} (exit code {code})", file=sys.stderr, flush=True)
    return code


def _pump(sock, stdin: int, stdout: int, wake_r: int, is_tty: bool, read_only: str = "") -> tuple[str, int] | None:
    """Shuttle bytes both ways (with `read_only`, its hint instead of any key). None = detached; else (state, exit code)."""
    sel = selectors.DefaultSelector()
    sel.register(sock, selectors.EVENT_READ, "sock")
    sel.register(stdin, selectors.EVENT_READ, "stdin")
    sel.register(wake_r, selectors.EVENT_READ, "wake")
    reader = control.Reader()
    escape_at: float | None = None  # a first Ctrl-\ is waiting for its twin
    while True:
        ready = sorted(sel.select(), key=lambda kv: kv[0].data != "wake")  # a resize before keys typed after it
        for key, _ in ready:
            if key.data == "sock":
                data = sock.recv(65536)
                if not data:
                    return ("lost", 1)
                for kind, payload in reader.feed(data):
                    if kind == control.OUTPUT:
                        _write_all(stdout, payload)
                    elif kind == control.EXIT:
                        info = control.parse_json(payload)
                        code = info.get("exit_code")
                        return (str(info.get("state", "exited")), code if isinstance(code, int) else 1)
            elif key.data == "wake":
                os.read(wake_r, 512)
                if is_tty:
                    sock.sendall(control.resize_frame(*window_size(stdin)))
            else:
                data = os.read(stdin, 65536)
                if not data:
                    sel.unregister(stdin)  # no more input; keep showing output
                    continue
                if escape_at is not None and time.monotonic() >= escape_at + DETACH_WINDOW:
                    escape_at = None
                if read_only and b"\x03" in data:
                    return None  # Ctrl-C leaves the pulse's view, never the pulse
                data, detach, waiting = keys(data, escape_at is not None)
                if data and read_only:
                    os.write(sys.stderr.fileno(), read_only.encode())
                elif data:
                    sock.sendall(control.frame(control.INPUT, data))
                if detach:
                    return None
                escape_at = time.monotonic() if waiting else None  # past the window it is dropped, never sent


def keys(data: bytes, waiting: bool) -> tuple[bytes, bool, bool]:
    """Split typed bytes at the escape key: (bytes for the worker, detach now?,
    a first Ctrl-\\ still waiting for its twin). A Ctrl-\\ followed by any other
    key is dropped; two in a row detach."""
    out = bytearray()
    for byte in data:
        if byte == DETACH_KEY:
            if waiting:
                return bytes(out), True, False
            waiting = True
        else:
            waiting = False
            out.append(byte)
    return bytes(out), False, waiting


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        try:
            n = os.write(fd, view)
        except BlockingIOError:
            time.sleep(0.01)
            continue
        view = view[n:]
