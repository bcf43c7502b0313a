"""`looop _supervise`: own one worker's session from its start to its end.

The supervisor process takes the session's alive lock, detaches, records
itself, and runs the `Supervisor` (looop/fleet/supervisor.py) until the worker
ends; anything unexpected is written to the session's supervisor.log."""

from __future__ import annotations

import os
import signal
import time
import traceback
from pathlib import Path

from looop.core.locks import hold_fd
from looop.fleet import control
from looop.fleet.sessions import RotatingLog, Session, read_json, update_status
from looop.fleet.supervisor import Supervisor, log_cap


def main(session_dir: str, lock_fd: int | None = None) -> int:
    """Entry of `looop _supervise`: run one worker to its end."""
    session = Session(Path(session_dir).resolve())
    os.umask(0o077)
    try:
        held = hold_alive_lock(session, lock_fd)
        if held is None:
            return 1  # another supervisor owns this session
        from looop.fleet.launch import detach_and_record

        detach_and_record(session)
        os.chdir(session.path)
        return supervise(session, held)
    except Exception:
        try:
            with open(session.supervisor_log, "a") as fh:
                fh.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} supervisor failed:\n{traceback.format_exc()}")
        except OSError:
            pass
        return 1


def hold_alive_lock(session: Session, lock_fd: int | None) -> int | None:
    """Keep the flock that says "alive" (inherited from start-session, or taken now); its fd, None if taken."""
    fd = lock_fd if lock_fd is not None else os.open(session.alive_lock, os.O_RDWR | os.O_CREAT, 0o600)
    os.set_inheritable(fd, False)
    return fd if hold_fd(fd, timeout=0) else None


def default_signals() -> None:
    """In the worker, before exec: Python ignores SIGPIPE and SIGXFSZ; a shell must not inherit that."""
    for sig in (signal.SIGPIPE, signal.SIGXFSZ):
        signal.signal(sig, signal.SIG_DFL)


def supervise(session: Session, lock_fd: int | None = None) -> int:
    from ptyprocess import PtyProcess

    meta = read_json(session.meta)
    status = read_json(session.status)
    listener = control.listen(session.sock)
    log = RotatingLog(session.log, session.log_old, log_cap())
    rows, cols = int(meta.get("rows") or 24), int(meta.get("cols") or 80)
    door = None
    if meta.get("box"):  # a boxed worker's verbs come to us: we know who is asking (§19)
        from looop.box.hands import supervisor_door

        door = supervisor_door(session.path, meta["box"], session.id)
    try:
        proc = PtyProcess.spawn(list(meta["argv"]), cwd=meta.get("cwd"), env=dict(os.environ),
                                dimensions=(rows, cols), preexec_fn=default_signals)
    except (OSError, KeyError, TypeError) as exc:
        log.write(f"looop: could not start the worker: {exc}\r\n".encode())
        log.close()
        update_status(session, state="exited", exit_code=127, ended_at=time.time())
        return 127
    status = {**status, "state": "running", "worker_pid": proc.pid, "running_at": time.time()}
    sup = Supervisor(session, proc, listener, log, lock_fd, meta, status)
    sup.set_status(**status)  # the worker may have deleted the session dir already: then it is put back
    try:
        state, code = sup.run()
    finally:
        if door is not None:
            door.close(remove=True)
    sup.listener.close()
    try:
        session.sock.unlink()
    except OSError:
        pass
    return code
