"""The fleet's memory: each worker session as a directory of small files.

Level-triggered like the beat: whatever lists, prunes or attaches re-reads the
session dir. Liveness is an flock the supervisor holds for its whole life, so a
supervisor killed with -9 reads as dead at once and a recycled pid never fools it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from looop.core.errors import ExitStatus, FatalError
from looop.core.fsio import atomic_write, read_json_object
from looop.core.ids import SESSION_PREFIX as PREFIX
from looop.core.ids import bare_id, sessions_dir
from looop.core.locks import lock_held, locked, pid_alive

ALIVE_STATES = ("starting", "running")


@dataclass(frozen=True)
class Session:
    """One session dir: `<fleet_root>/sessions/looop-<id>/`."""

    path: Path

    @property
    def id(self) -> str:
        return self.path.name

    @property
    def name(self) -> str:  # the id the user typed: `fix-ci` for `looop-fix-ci`
        return bare_id(self.path.name)

    @property
    def meta(self) -> Path:  # static: cmd, cwd, started_at, supervisor pid
        return self.path / "meta.json"

    @property
    def status(self) -> Path:  # live: state, exit code, flag note
        return self.path / "status.json"

    @property
    def log(self) -> Path:  # raw PTY output, rotated into log_old
        return self.path / "output.log"

    @property
    def log_old(self) -> Path:
        return self.path / "output.log.1"

    @property
    def verify_result(self) -> Path:  # what its --verify command found, once it ran
        return self.path / "verify.json"

    @property
    def verify_log(self) -> Path:  # that command's whole output
        return self.path / "verify.log"

    @property
    def alive_lock(self) -> Path:  # flock held by the supervisor while it lives
        return self.path / "supervisor.lock"

    @property
    def status_lock(self) -> Path:  # serialises read-modify-write of status.json
        return self.path / ".status.lock"

    @property
    def supervisor_log(self) -> Path:  # the supervisor's own troubles, if any
        return self.path / "supervisor.log"

    @property
    def ctl_dir(self) -> Path:  # 0700
        return self.path / "ctl"

    @property
    def sock(self) -> Path:  # 0600 control socket
        return self.ctl_dir / "sock"


def session_id(name: str) -> str:
    """`x` or `looop-x` → `looop-x`, refusing anything that is not a plain name."""
    from looop.core.ids import check_plain

    bare = name[len(PREFIX):] if name.startswith(PREFIX) else name
    check_plain(bare, "worker id")
    return PREFIX + bare


def all_sessions(fleet_root: Path) -> list[Session]:
    try:
        entries = sorted(os.listdir(sessions_dir(fleet_root)))
    except (FileNotFoundError, NotADirectoryError):
        return []
    return [Session(sessions_dir(fleet_root) / e) for e in entries if e.startswith(PREFIX)]


def find(fleet_root: Path, name: str) -> Session:
    """The session named `name` (with or without `looop-`), or a one-line error."""
    sid = session_id(name)
    session = Session(sessions_dir(fleet_root) / sid)
    if not session.path.is_dir():
        finished = find_kept(fleet_root, sid)  # a finished one, kept worker_log_keep
        if finished is not None:
            return finished
        known = ", ".join(s.name for s in all_sessions(fleet_root)) or "none"
        raise FatalError(f"no worker '{bare_id(sid)}' in this profile (workers: {known}; see `looop ls`)", ExitStatus.FAILED)
    return session


# -- reading and writing state ------------------------------------------------

def read_json(path: Path) -> dict[str, Any]:
    """A session's state file, or {} while it is missing or unreadable."""
    return read_json_object(path) or {}


def write_json(path: Path, value: dict[str, Any]) -> None:
    atomic_write(path, json.dumps(value, ensure_ascii=False, indent=1) + "\n")


def update_status(session: Session, **changes: Any) -> dict[str, Any]:
    """Change some status fields; the supervisor and the verbs never lose each other's writes."""
    with locked(session.status_lock):
        status = read_json(session.status)
        status.update(changes)
        status["updated_at"] = time.time()
        write_json(session.status, status)
        return status


def supervisor_alive(session: Session) -> bool:
    """Is the supervisor's flock held? (Without a lock file: is its pid alive?)"""
    held = lock_held(session.alive_lock, shared=True)  # shared: two probes never see each other
    if held is None:
        pid = read_json(session.meta).get("supervisor_pid")
        return isinstance(pid, int) and pid_alive(pid)
    return held


def state_of(session: Session, status: dict[str, Any] | None = None) -> str:
    status = read_json(session.status) if status is None else status
    state = status.get("state")
    if state in ALIVE_STATES:
        return state if supervisor_alive(session) else "dead"
    return state if state in ("exited", "killed") else "dead"


def worker(session: Session, now: float | None = None) -> Any:
    from looop.fleet.model import Worker

    status = read_json(session.status)
    meta = read_json(session.meta)
    started = meta.get("started_epoch")
    age = max(0.0, (now or time.time()) - started) if isinstance(started, (int, float)) else 0.0
    code = status.get("exit_code")
    note = status.get("note")
    pid = meta.get("supervisor_pid")
    last = last_output(session, status, meta)
    return Worker(
        id=session.id, state=state_of(session, status),
        exit_code=code if isinstance(code, int) and not isinstance(code, bool) else None,
        note=note if isinstance(note, str) else None, age_s=round(age, 3),
        started_at=meta.get("started_at") if isinstance(meta.get("started_at"), str) else None,
        flagged_at=status.get("flagged_at") if isinstance(status.get("flagged_at"), str) else None,
        runner=meta.get("runner") if isinstance(meta.get("runner"), str) else None,
        supervisor_pid=pid if isinstance(pid, int) else None,
        idle_s=round(max(0.0, (now or time.time()) - last), 3) if last is not None else None,
        verify=check_of(session, meta),
        ended_at=ended if isinstance(ended := status.get("ended_at"), (int, float)) and not isinstance(ended, bool)
        else None,
    )


def last_output(session: Session, status: dict[str, Any], meta: dict[str, Any]) -> float | None:
    """When the worker last wrote anything (the log's mtime; else when it started)."""
    try:
        return session.log.stat().st_mtime
    except OSError:
        pass
    for when in (status.get("running_at"), meta.get("started_epoch")):
        if isinstance(when, (int, float)) and not isinstance(when, bool):
            return float(when)
    return None


def check_of(session: Session, meta: dict[str, Any]) -> Any:
    """The session's --verify command with its recorded outcome (None without one)."""
    from looop.fleet.model import Check

    cmd = meta.get("verify")
    if not isinstance(cmd, str) or not cmd:
        return None
    done = read_json(session.verify_result)
    if done.get("result") not in ("pass", "fail"):
        return Check(cmd)
    code, ran_at, tail = done.get("exit_code"), done.get("ran_at"), done.get("tail")
    return Check(cmd, result=done["result"],
                 exit_code=code if isinstance(code, int) and not isinstance(code, bool) else None,
                 timed_out=done.get("timed_out") is True, ran_at=ran_at if isinstance(ran_at, str) else None,
                 tail=tail if isinstance(tail, str) else "")


def unrecorded(fleet_root: Path) -> list[str]:
    """Ids of running supervisors of this fleet whose session has no status.json
    (a worker deleted its dir; its supervisor puts it back within a second).
    Read from /proc, which a worker cannot delete; [] where there is none."""
    root = os.fsencode(sessions_dir(fleet_root)) + b"/"
    found = set()
    try:
        pids = [e for e in os.listdir("/proc") if e.isdigit()]
    except OSError:
        return []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                argv = fh.read().split(b"\0")
        except OSError:
            continue
        if b"_supervise" not in argv[:3]:
            continue
        where = argv[argv.index(b"_supervise") + 1] if argv.index(b"_supervise") + 1 < len(argv) else b""
        name = where[len(root):] if where.startswith(root) else b""
        if name.startswith(PREFIX.encode()) and b"/" not in name:
            session = Session(sessions_dir(fleet_root) / os.fsdecode(name))
            if not session.status.exists():
                found.add(session.id)
    return sorted(found)


# -- removing finished sessions -----------------------------------------------

def remove(session: Session) -> None:
    """Delete a finished session's dir; a dead supervisor's orphaned worker goes too."""
    if session.path.is_symlink():  # not a dir looop made: drop the link, never what it points at
        session.path.unlink(missing_ok=True)
        return
    pid = worker_pid(session)
    if pid is not None and not supervisor_alive(session):
        stop_orphan(pid)
    shutil.rmtree(session.path, ignore_errors=True)


def worker_pid(session: Session) -> int | None:
    """The pid status.json names, only when it really is this session's worker:
    it leads its own session and (where /proc tells) carries this session's
    LOOOP_SESSION_ID. A forged or stale pid (a worker's write, a reboot) is None."""
    from looop.core import procgroup

    pid = read_json(session.status).get("worker_pid")
    if isinstance(pid, bool) or not isinstance(pid, int) or not 1 < pid < 1 << 22:
        return None
    if not procgroup.leads_session(pid):
        return None
    if not os.path.isdir("/proc/self"):
        return pid
    try:
        with open(f"/proc/{pid}/environ", "rb") as fh:
            env = b"\0" + fh.read()
    except OSError:
        return None
    return pid if f"\0LOOOP_SESSION_ID={session.id}\0".encode() in env + b"\0" else None


def stop_orphan(pid: int, grace: float = 0.0) -> bool:
    """Stop a worker whose supervisor died (only if it still leads its own
    session, else the pid was recycled): HUP and TERM, then with a `grace`,
    KILL; True when its group is gone."""
    from looop.core import procgroup

    if not procgroup.leads_session(pid):
        return not procgroup.alive(pid)
    procgroup.send(pid, signal.SIGHUP)
    if not grace:
        procgroup.send(pid, signal.SIGTERM)
        return False
    return procgroup.stop(pid, grace)


def prune(fleet_root: Path, only: set[str] | None = None) -> list[str]:
    """Remove every exited, killed or dead session (of `only`, if given); return their ids."""
    gone = []
    for session in all_sessions(fleet_root):
        if only is not None and session.id not in only:
            continue
        if state_of(session) not in ALIVE_STATES:
            remove(session)
            if not os.path.lexists(session.path):  # only what is really gone is said to be
                gone.append(session.id)
    return gone


# -- the output log -----------------------------------------------------------

def log_tail(session: Session, limit: int = 16384) -> bytes:
    """The last `limit` bytes of the worker's output, across the rotation."""
    out = b""
    for path in (session.log, session.log_old):
        try:
            with open(path, "rb") as fh:
                fh.seek(0, os.SEEK_END)
                size = fh.tell()
                want = limit - len(out)
                fh.seek(max(0, size - want))
                out = fh.read(want) + out
        except OSError:
            continue
        if len(out) >= limit:
            break
    return out


class RotatingLog:
    """Append-only output log that never holds more than two files of `cap` bytes."""

    def __init__(self, path: Path, old: Path, cap: int) -> None:
        self.path, self.old, self.cap = path, old, max(cap, 4096)
        self.fh = open(path, "ab")
        self.size = self.fh.tell()

    def write(self, chunk: bytes) -> None:
        view = memoryview(chunk)
        while view:
            room = self.cap - self.size
            if room <= 0:
                self.fh.close()
                os.replace(self.path, self.old)
                self.fh = open(self.path, "ab")
                self.size, room = 0, self.cap
            self.fh.write(view[:room])
            self.size += len(view[:room])
            view = view[room:]
        self.fh.flush()

    def close(self) -> None:
        self.fh.close()


FINISHED = "finished"


def finished_dir(fleet_root: Path) -> Path:
    return fleet_root / FINISHED


def finished_slots(fleet_root: Path) -> list[Path]:
    try:
        return sorted((p for p in finished_dir(fleet_root).iterdir() if p.is_dir()), key=finished_stamp)
    except OSError:
        return []


def finished_stamp(slot: Path) -> float:
    try:
        return float(slot.name.split("-", 1)[0])
    except ValueError:
        return 0.0


def kept(fleet_root: Path) -> list[Session]:
    """Finished sessions, newest first."""
    out = []
    for slot in reversed(finished_slots(fleet_root)):
        out += [Session(p) for p in sorted(slot.iterdir()) if p.name.startswith(PREFIX)]
    return out


def find_kept(fleet_root: Path, name: str) -> Session | None:
    """The newest kept session named `name` (with or without `looop-`)."""
    sid = session_id(name)
    return next((s for s in kept(fleet_root) if s.id == sid), None)


def size_of(session: Session) -> tuple[int, int]:
    """The session's PTY size (cols, rows): the latest resize, else its start size."""
    meta, status = read_json(session.meta), read_json(session.status)

    def dim(key: str, default: int) -> int:
        for source in (status, meta):
            value = source.get(key)
            if isinstance(value, int) and not isinstance(value, bool) and 2 <= value <= 1000:
                return value
        return default

    return dim("cols", 80), dim("rows", 24)
