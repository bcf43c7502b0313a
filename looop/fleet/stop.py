"""Stopping a worker: through its supervisor when it answers, by its process group when not.

Never the pulse: a move or a worker naming it cannot switch the loop off (the
human stops it with `looop down`).
"""

from __future__ import annotations

import signal

from looop import fleet
from looop.core.errors import ExitStatus, FatalError
from looop.core.paths import Paths
from looop.fleet import sessions
from looop.records import events

KILL_GRACE = 5.0


def stop(paths: Paths, name: str, grace: float = KILL_GRACE) -> int:
    """SIGTERM the worker's process group; SIGKILL after `grace` seconds.

    Never the pulse: a move or a worker naming it cannot switch the loop off
    (the human stops it with `looop down`)."""

    if sessions.session_id(name) == fleet.PULSE:
        raise FatalError("pulse is the loop's own pulse, not a worker: stop it with `looop down`", ExitStatus.FAILED)
    session = sessions.find(paths.fleet_root, name)
    w = sessions.worker(session)
    if not w.alive:
        ended = f" (exit code {w.exit_code})" if w.exit_code is not None else ""
        print(f"{session.name} has already ended: {w.state}{ended}")
        return 0
    # Recorded first: a worker ending itself is in the group about to be signalled.
    events.emit(paths.events, "session_killed", session=session.id)
    state, code = stop_session(session, grace)
    left = _leftovers(session)
    print(f"{session.name} {state}" + (f" (exit code {code})" if code is not None else ""))
    if left:
        raise FatalError(f"{session.name}: {left} process(es) of its group survived SIGKILL "
                         f"(see `ps -g {sessions.read_json(session.status).get('worker_pid')}`)", ExitStatus.FAILED)
    return 0


def _leftovers(session: sessions.Session) -> int:
    """Processes of the worker's group still alive once it was killed (after one more KILL)."""
    from looop.core import procgroup

    pid = sessions.worker_pid(session)
    if pid is None or not procgroup.alive(pid):
        return 0
    if procgroup.stop(pid, 0.0, first=signal.SIGKILL):
        return 0
    return len(procgroup.members(pid))


def stop_session(session: sessions.Session, grace: float) -> tuple[str, int | None]:
    """Ask the supervisor to end its session (TERM, KILL after `grace`); (state, exit code)."""
    from looop.fleet import control

    try:
        sock = control.connect(session.sock)
    except OSError:
        return _kill_orphan(session, grace)
    with sock:
        sock.settimeout(grace + 5.0)
        sock.sendall(control.json_frame(control.HELLO, {"op": "kill", "grace": grace}))
        reader = control.Reader()
        try:
            while True:
                data = sock.recv(65536)
                if not data:
                    break
                for kind, payload in reader.feed(data):
                    if kind == control.EXIT:
                        info = control.parse_json(payload)
                        return str(info.get("state")), info.get("exit_code")
        except OSError:
            pass
    w = sessions.worker(session)
    return w.state, w.exit_code


def _kill_orphan(session: sessions.Session, grace: float) -> tuple[str, int | None]:
    """No supervisor to ask: stop the worker's group ourselves."""
    pid = sessions.worker_pid(session)
    if pid is not None:
        sessions.stop_orphan(pid, max(grace, 0.01))
    w = sessions.worker(session)
    return w.state, w.exit_code
