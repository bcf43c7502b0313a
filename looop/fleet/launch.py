"""Starting a worker: a fresh session dir and a detached supervisor for it.

The supervisor gets its own session and process group, no controlling
terminal and /dev/null for stdio, so killing the caller's group (the beat does
that to its runner) never reaches the worker. The "alive" flock is taken here,
before the supervisor exists, so the session never looks dead while starting;
the fleet cap is counted and the worker launched under one flock, so two
starts at once never exceed it.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from looop.core import procgroup
from looop.core.errors import ExitStatus, FatalError
from looop.core.locks import hold_fd, locked
from looop.core.stamps import utc
from looop.fleet.sessions import Session, bare_id, read_json, sessions_dir, state_of, update_status, write_json

START_WAIT = 10.0  # seconds start-session waits for the worker to be running


@contextmanager
def start_lock(fleet_root: Path) -> Iterator[None]:
    """The fleet's start lock: count (check_cap) and launch inside it."""
    _owner_only(fleet_root)
    with locked(fleet_root / "start.lock"):
        yield


def check_cap(fleet_root: Path, sid: str, cap: int, where: str) -> None:
    """Refuse, before anything is spawned, when `cap` workers are alive (0 = no cap)."""
    from looop import fleet
    from looop.fleet.sessions import unrecorded

    live = fleet.live_ids(fleet_root)
    live += [other for other in unrecorded(fleet_root) if other not in live and other != fleet.PULSE]
    if cap and len(live) >= cap:
        raise FatalError(f"fleet cap reached: {len(live)} live worker{'s' if len(live) != 1 else ''} "
                         f"({', '.join(bare_id(w) for w in live)}) of at most {cap} ({where}); "
                         f"{bare_id(sid)} was not started "
                         f"(wait for one to end, or `looop kill` one)", ExitStatus.FAILED)


def _owner_only(*dirs: Path) -> None:
    """The fleet is the owner's alone, and so is every dir created on the way
    (a profile's data dir when the first thing it sees is a worker)."""
    for owner_only in dirs:
        missing = [d for d in (owner_only, *owner_only.parents) if not d.exists()]
        for d in reversed(missing):
            d.mkdir(mode=0o700, exist_ok=True)
            os.chmod(d, 0o700)


def launch(fleet_root: Path, sid: str, *, argv: list[str], cwd: Path, env: dict[str, str], runner: str,
           prompt_file: Path, looop_bin: str, size: tuple[int, int] = (24, 80),
           verify: str | None = None, box: dict[str, str] | None = None) -> Session:
    """Create `sessions/<sid>/` and start its supervisor; return once it runs."""
    root = sessions_dir(fleet_root)
    _owner_only(fleet_root, root)
    session = Session(root / sid)
    try:
        session.path.mkdir(mode=0o700)
    except FileExistsError:
        raise FatalError(f"{session.name} is being started by someone else right now", ExitStatus.FAILED) from None
    lock_fd = os.open(session.alive_lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        hold_fd(lock_fd)
        now = time.time()
        write_json(session.meta, {
            "id": sid, "runner": runner, "argv": argv, "cmd": argv[-1], "cwd": str(cwd),
            "prompt_file": str(prompt_file), "started_at": utc(now), "started_epoch": now,
            "rows": size[0], "cols": size[1], "supervisor_pid": None,
            **({"verify": verify} if verify else {}), **({"box": box} if box else {}),
        })
        update_status(session, state="starting", exit_code=None, note=None, flagged_at=None)
        try:  # procgroup, not looop.core.cmd: the supervisor is detached in its own session and inherits the lock fd
            first = procgroup.spawn(
                [looop_bin, "_supervise", str(session.path), str(lock_fd)], cwd=session.path, env=env,
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                pass_fds=(lock_fd,),
            )
        except OSError as exc:
            update_status(session, state="exited", exit_code=127)
            raise FatalError(f"cannot start the supervisor {looop_bin}: {exc.strerror or exc}", ExitStatus.FAILED) from None
        first.wait()  # it forks the real supervisor and exits at once
    finally:
        os.close(lock_fd)
    _wait_running(session)
    return session


def _wait_running(session: Session) -> None:
    deadline = time.monotonic() + START_WAIT
    while time.monotonic() < deadline:
        status = read_json(session.status)
        if status.get("state") != "starting" and read_json(session.meta).get("supervisor_pid"):
            return
        if state_of(session, status) == "dead" and session.status.exists():  # gone: the supervisor restores it
            break
        time.sleep(0.01)
    why = ""
    try:
        why = session.supervisor_log.read_text(errors="replace").strip().splitlines()[-1]
    except (OSError, IndexError):
        pass
    raise FatalError(f"{session.name}: the supervisor did not start{': ' + why if why else ''} "
                     f"(see {session.path})", ExitStatus.FAILED)


def detach_and_record(session: Session) -> None:
    """In the supervisor: leave the launcher behind (fork), then record our pid."""
    if os.fork() > 0:
        os._exit(0)
    meta = read_json(session.meta)
    meta["supervisor_pid"] = os.getpid()
    write_json(session.meta, meta)
