"""A worker's supervisor: holds its PTY, keeps its log, serves its socket.

`looop _supervise <session-dir>` runs fully detached (its own session, no
terminal, stdio on /dev/null), so a worker outlives the shell, the beat and
the pulse that started it. It alone moves the session's state forward
(starting → running → exited | killed); the output log stays size-bounded.

The session dir is the fleet's only record of a worker, and the worker can
write there: once a second the supervisor checks that its dir, its "alive"
lock, its meta, status, log and socket are the ones it holds, and puts back
whatever is gone, so a worker that deletes its own session dir is still listed,
counted against the cap, and reached by `kill` and `down`.
"""

from __future__ import annotations

import os
import selectors
import signal
import time
from typing import Any

from looop.core import procgroup
from looop.core.locks import hold_fd
from looop.fleet import control
from looop.fleet.sessions import RotatingLog, Session, read_json, update_status, write_json

RECORD_CHECK_S = 1.0  # how often the supervisor checks its session dir is still there
RING_BYTES = 64 * 1024  # recent output replayed to a client that attaches
BURST_BYTES = 256 * 1024  # read at most this much before serving the others
CLIENT_BACKLOG_MAX = 8 << 20  # a client further behind than this is dropped
DEFAULT_GRACE = 5.0  # seconds between SIGTERM and SIGKILL


def log_cap() -> int:
    """Per log file; two files at most (LOOOP_WORKER_LOG_BYTES, checked by the verb that started us)."""
    from looop.core import knobs

    return knobs.get("worker_log_bytes")


class Client:
    def __init__(self, sock) -> None:
        self.sock = sock
        self.reader = control.Reader()
        self.out = bytearray()
        self.attached = False
        self.mask = selectors.EVENT_READ


class Supervisor:
    def __init__(self, session: Session, proc, listener, log: RotatingLog, lock_fd: int | None = None,
                 meta: dict[str, Any] | None = None, status: dict[str, Any] | None = None) -> None:
        self.session, self.proc, self.listener, self.log = session, proc, listener, log
        self.lock_fd = lock_fd
        self.meta = read_json(session.meta) if meta is None else meta  # as written before the worker could touch it
        self.status = read_json(session.status) if status is None else status
        self.next_check = time.monotonic()
        self.master: int = proc.fd
        os.set_blocking(self.master, False)
        self.sel = selectors.DefaultSelector()
        self.clients: dict[int, Client] = {}
        self.ring = bytearray()
        self.inbuf = bytearray()
        self.pty_open = True
        self.pty_mask = selectors.EVENT_READ
        self.killing = False
        self.kill_at: float | None = None
        self.known_groups: set[int] = set()
        self.survivors = 0
        self.check_child = True  # set by SIGCHLD and by the PTY closing
        self.wake_r, self.wake_w = os.pipe()
        for fd in (self.wake_r, self.wake_w):
            os.set_blocking(fd, False)

    # -- the loop -------------------------------------------------------------
    def run(self) -> tuple[str, int]:
        for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            signal.signal(sig, lambda *_: None)
        signal.set_wakeup_fd(self.wake_w)
        self.sel.register(self.master, selectors.EVENT_READ, "pty")
        self.sel.register(self.listener, selectors.EVENT_READ, "listen")
        self.sel.register(self.wake_r, selectors.EVENT_READ, "wake")
        while not self.worker_ended():
            timeout = 1.0 if self.kill_at is None else max(0.0, min(1.0, self.kill_at - time.monotonic()))
            ready = self.sel.select(timeout)
            if not ready:
                self.check_child = True  # quiet for a while: look anyway
            for key, mask in ready:
                if key.data == "pty":
                    if mask & selectors.EVENT_READ:
                        self.read_pty()
                    if mask & selectors.EVENT_WRITE:
                        self.flush_input()
                elif key.data == "listen":
                    self.accept()
                elif key.data == "wake":
                    self.on_signals()
                else:
                    self.on_client(key.data, mask)
            if self.kill_at is not None and time.monotonic() >= self.kill_at:
                self.signal_worker(signal.SIGKILL)
                self.kill_at = None
            if time.monotonic() >= self.next_check:
                self.next_check = time.monotonic() + RECORD_CHECK_S
                self.keep_record()
        self.drain_pty()
        return self.finish()

    def worker_ended(self) -> bool:
        if not self.check_child:
            return False
        self.check_child = False
        return not self.proc.isalive()

    # -- the session's record ---------------------------------------------------
    def keep_record(self) -> None:
        """Put back what of the session dir is gone (a worker may delete it): the fleet must still see us."""
        s = self.session
        try:
            held = self.lock_fd is not None and os.stat(s.alive_lock).st_ino == os.fstat(self.lock_fd).st_ino
        except OSError:
            held = False
        if held and all(p.exists() for p in (s.meta, s.status, s.log, s.sock)):
            return
        try:
            s.path.mkdir(mode=0o700, parents=True, exist_ok=True)
            if not held:
                fd = os.open(s.alive_lock, os.O_RDWR | os.O_CREAT, 0o600)
                os.set_inheritable(fd, False)
                if not hold_fd(fd, timeout=0):  # someone else holds the new one: never two owners
                    os.close(fd)
                    return
                if self.lock_fd is not None:
                    os.close(self.lock_fd)
                self.lock_fd = fd
            if not s.meta.exists():
                write_json(s.meta, self.meta)
            if not s.status.exists():
                update_status(s, **{**self.status, "note": "its session dir was deleted; the supervisor restored it"})
            if not s.log.exists():
                self.log.close()
                self.log = RotatingLog(s.log, s.log_old, self.log.cap)
            if not s.sock.exists():
                fresh = control.listen(s.sock)
                serving = self.listener.fileno() in self.sel.get_map()  # not yet before run()
                if serving:
                    self.sel.unregister(self.listener)
                self.listener.close()
                self.listener = fresh
                if serving:
                    self.sel.register(self.listener, selectors.EVENT_READ, "listen")
            with open(s.supervisor_log, "a") as fh:
                fh.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} the session dir was deleted or damaged; "
                         "restored it\n")
        except OSError:
            pass  # tried again on the next check

    def set_status(self, **changes: Any) -> None:
        """update_status, putting the session dir back first when the worker deleted it meanwhile."""
        self.status.update(changes)
        for _ in range(2):
            try:
                self.status = update_status(self.session, **changes)
                return
            except OSError:
                self.keep_record()

    # -- the PTY ------------------------------------------------------------
    def read_pty(self) -> bool:
        """Read what the worker wrote (a burst at a time); False when nothing was there."""
        chunks: list[bytes] = []
        size = 0
        while size < BURST_BYTES:
            try:
                data = os.read(self.master, 65536)
            except BlockingIOError:
                break
            except OSError:
                data = b""  # EIO: every slave fd is closed
            if not data:
                self.close_pty_reads()
                break
            chunks.append(data)
            size += len(data)
        if not chunks:
            return False
        data = b"".join(chunks)
        self.log.write(data)
        self.ring += data
        if len(self.ring) > 2 * RING_BYTES:  # trimmed now and then, not on every read
            del self.ring[: len(self.ring) - RING_BYTES]
        out = control.frame(control.OUTPUT, data)
        for client in list(self.clients.values()):
            if client.attached:
                self.send(client, out)
        return True

    def drain_pty(self) -> None:
        """What the worker wrote just before exiting is still in the PTY: keep it."""
        deadline = time.monotonic() + 1.0
        while self.pty_open and time.monotonic() < deadline and self.read_pty():
            pass

    def close_pty_reads(self) -> None:
        if self.pty_open:
            self.pty_open = False
            self.check_child = True
            self.sel.unregister(self.master)

    def flush_input(self) -> None:
        if self.inbuf and self.pty_open:
            try:
                n = os.write(self.master, self.inbuf)
                del self.inbuf[:n]
            except BlockingIOError:
                pass
            except OSError:
                self.inbuf.clear()
        if not self.pty_open:
            return
        want = selectors.EVENT_READ | (selectors.EVENT_WRITE if self.inbuf else 0)
        if want != self.pty_mask:
            self.pty_mask = want
            self.sel.modify(self.master, want, "pty")

    def resize(self, rows: int, cols: int, redraw: bool = False) -> None:
        if not (0 < rows <= 0xFFFF and 0 < cols <= 0xFFFF):
            return  # a winsize holds two unsigned shorts: a client asking more is ignored, never fatal
        try:
            same = self.proc.getwinsize() == (rows, cols)
            self.proc.setwinsize(rows, cols)
        except OSError:
            return
        if not same:  # `watch` and `screenshot` replay the log at the size it was drawn for
            self.set_status(rows=rows, cols=cols)
        if same and redraw:  # the kernel only signals a change; a new client wants a redraw anyway
            self.signal_worker(signal.SIGWINCH)

    def groups(self) -> set[int]:
        """The worker's process group and the PTY's foreground group."""
        found = {self.proc.pid}
        if self.pty_open:
            try:
                found.add(os.tcgetpgrp(self.master))
            except OSError:
                pass
        self.known_groups |= found
        return found

    def signal_worker(self, sig: int) -> None:
        """Signal the worker's process group and the PTY's foreground group."""
        for group in self.groups():
            procgroup.send(group, sig)
            if sig == signal.SIGTERM:
                procgroup.send(group, signal.SIGCONT)

    def kill(self, grace: float) -> None:
        """SIGTERM the worker's group now, SIGKILL it after `grace` seconds."""
        deadline = time.monotonic() + max(0.0, grace)
        if not self.killing:
            self.killing = True
            self.signal_worker(signal.SIGTERM)
        if self.kill_at is None or deadline < self.kill_at:
            self.kill_at = deadline

    def on_signals(self) -> None:
        try:
            got = os.read(self.wake_r, 512)
        except BlockingIOError:
            return
        if signal.SIGCHLD in got:
            self.check_child = True
        if any(s in got for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)):
            self.kill(DEFAULT_GRACE)

    # -- clients --------------------------------------------------------------
    def accept(self) -> None:
        try:
            sock, _ = self.listener.accept()
        except OSError:
            return
        if control.from_a_box(sock):  # attach and kill are the human's and the pulse's, never a boxed hand's
            sock.close()
            return
        sock.setblocking(False)
        client = Client(sock)
        self.clients[sock.fileno()] = client
        self.sel.register(sock, selectors.EVENT_READ, client)

    def on_client(self, client: Client, mask: int) -> None:
        if mask & selectors.EVENT_WRITE:
            self.send(client, b"")
        if not mask & selectors.EVENT_READ or client.sock.fileno() not in self.clients:
            return
        try:
            data = client.sock.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self.drop(client)
            return
        try:
            for kind, payload in client.reader.feed(data):
                self.handle(client, kind, payload)
        except control.ProtocolError as exc:
            self.send(client, control.json_frame(control.REPLY, {"ok": False, "error": str(exc)}))
            self.drop(client)

    def handle(self, client: Client, kind: bytes, payload: bytes) -> None:
        if kind == control.HELLO:
            hello = control.parse_json(payload)
            op = hello.get("op")
            if op == "attach":
                rows, cols = hello.get("rows"), hello.get("cols")
                self.send(client, control.json_frame(control.REPLY, {"ok": True, "id": self.session.id,
                                                                      "pid": self.proc.pid}))
                self.send(client, control.frame(control.OUTPUT, replay(self.ring)))
                client.attached = True
                if isinstance(rows, int) and isinstance(cols, int) and rows > 0 and cols > 0:
                    self.resize(rows, cols, redraw=True)
            elif op == "kill":
                grace = hello.get("grace")
                self.kill(float(grace) if isinstance(grace, (int, float)) else DEFAULT_GRACE)
                self.send(client, control.json_frame(control.REPLY, {"ok": True}))
            else:
                self.send(client, control.json_frame(control.REPLY, {"ok": False, "error": f"unknown op {op!r}"}))
        elif kind == control.INPUT and client.attached:
            if len(self.inbuf) + len(payload) <= CLIENT_BACKLOG_MAX:
                self.inbuf += payload
                self.flush_input()
        elif kind == control.RESIZE and client.attached:
            self.resize(*control.parse_resize(payload))

    def send(self, client: Client, data: bytes) -> None:
        if client.sock.fileno() not in self.clients:
            return
        client.out += data
        if len(client.out) > CLIENT_BACKLOG_MAX:
            self.drop(client)  # too slow to keep up: it can attach again
            return
        if client.out:
            try:
                n = client.sock.send(client.out)
                del client.out[:n]
            except BlockingIOError:
                pass
            except OSError:
                self.drop(client)
                return
        want = selectors.EVENT_READ | (selectors.EVENT_WRITE if client.out else 0)
        if want != client.mask:
            client.mask = want
            self.sel.modify(client.sock, want, client)

    def drop(self, client: Client) -> None:
        fd = client.sock.fileno()
        if self.clients.pop(fd, None) is not None:
            self.sel.unregister(client.sock)
        client.sock.close()

    # -- the end --------------------------------------------------------------
    def finish(self) -> tuple[str, int]:
        code = self.proc.exitstatus if self.proc.signalstatus is None else 128 + self.proc.signalstatus
        state = "killed" if self.killing else "exited"
        if self.killing:
            # The leader is gone; whatever of its groups ignored SIGTERM and
            # SIGHUP gets the rest of the grace, then SIGKILL.
            left = max(0.0, (self.kill_at or 0.0) - time.monotonic())
            self.survivors = sum(len(procgroup.members(g)) for g in self.known_groups
                                 if not procgroup.stop(g, left))
        self.set_status(state=state, exit_code=code, ended_at=time.time())
        bye = control.json_frame(control.EXIT, {"state": state, "exit_code": code, "survivors": self.survivors})
        for client in list(self.clients.values()):
            try:
                client.sock.setblocking(True)
                client.sock.settimeout(2.0)
                client.sock.sendall(bytes(client.out) + bye)
            except OSError:
                pass
            client.sock.close()
        self.clients.clear()
        procgroup.send(self.proc.pid, signal.SIGHUP)  # what closing a terminal does to leftovers
        self.proc.delayafterclose = 0
        self.proc.close()
        self.log.close()
        return state, code


def replay(ring: bytearray) -> bytes:
    """Recent output, starting at a line boundary when it was cut."""
    data = bytes(ring[-RING_BYTES:])
    if len(data) >= RING_BYTES:
        cut = data.find(b"\n", 0, 4096)
        if cut >= 0:
            data = data[cut + 1:]
    return data
