"""The worker verbs: start-session, attach, kill, flag, unflag, prune.

Each takes `<id>` or `looop-<id>` and sees only this profile's fleet; an
unknown session is one clear line and exit 1.
"""

from __future__ import annotations

from looop import fleet
from looop.commands import usage
from looop.core.errors import ExitStatus, FatalError
from looop.core.paths import Paths, resolve
from looop.core.untrusted import one_line
from looop.fleet import sessions
from looop.fleet.start import start as start_session  # noqa: F401 - the verb's name for it
from looop.fleet.stop import KILL_GRACE, stop_session  # noqa: F401
from looop.fleet.stop import stop as kill  # noqa: F401
from looop.records import events


def attach(paths: Paths, name: str) -> int:
    from looop.core.selfbin import user_command
    from looop.fleet.attach import attach as attach_to

    session = sessions.find(paths.fleet_root, name)
    return attach_to(session, user_command(paths), read_only=session.id == fleet.PULSE)  # the pulse: look, never steer


def flag(paths: Paths, name: str, message: str = "") -> int:
    """Raise the worker's hand: the beat and NEEDS YOU show it until unflag."""
    from looop.core.stamps import utc_now

    session = sessions.find(paths.fleet_root, name)
    w = sessions.worker(session)
    if not w.alive:
        raise FatalError(f"{session.name} is not running ({w.state}); only a live worker can be flagged", ExitStatus.FAILED)
    note = " ".join(message.split())
    if not note and w.note:  # `flag <id>` alone raises the hand again, keeping the question
        note = w.note
    fields = {"note": note}
    if w.note != note:  # the same question again is not a new flag
        fields["flagged_at"] = utc_now()
    status = sessions.update_status(session, **fields)
    events.emit(paths.events, "session_flagged", session=session.id, note=note)
    print(f"⚑ {session.name} flagged" + (f": {one_line(note)}" if note else ""), flush=True)
    from looop.mailbox import alerts, notify

    notify.raise_event(paths, *alerts.flag_event(paths, session.name, note, status.get("flagged_at")))
    return 0


def unflag(paths: Paths, name: str) -> int:
    session = sessions.find(paths.fleet_root, name)
    sessions.update_status(session, note=None, flagged_at=None)
    events.emit(paths.events, "session_unflagged", session=session.id)
    print(f"{session.name} unflagged")
    return 0


def prune(paths: Paths) -> int:
    gone = fleet.prune(paths.fleet_root)
    for sid in gone:
        events.emit(paths.events, "session_pruned", session=sid)
    print(f"pruned {len(gone)} finished session{'s' if len(gone) != 1 else ''}"
          + (f": {', '.join(sessions.bare_id(g) for g in gone)}" if gone else ""))
    return 0


class StartSession(usage.Verb):
    verify = usage.option("--verify", str, None, argname="CMD",
                          help="a command the beat runs once after the worker ends; exit 0 = the work is done")
    cwd = usage.option("--cwd", str, None, argname="DIR",
                       help="where the worker starts (boxed: only its work dir or a sandbox_write path)")

    def main(self, id: str, prompt: str, runner: str = "") -> int:  # plumbum calls the annotation: plain str
        return start_session(resolve(), id, prompt, runner or None, verify=self.verify, cwd=self.cwd)


class Attach(usage.Verb):
    def main(self, id: str) -> int:
        return attach(resolve(), id)


class Kill(usage.Verb):
    grace = usage.option("--grace", float, 5.0, argname="SECONDS", help="seconds between SIGTERM and SIGKILL")

    def main(self, id: str) -> int:
        return kill(resolve(), id, grace=self.grace)


class Flag(usage.Verb):
    def main(self, id: str, *message: str) -> int:
        return flag(resolve(), id, " ".join(message))


class Unflag(usage.Verb):
    def main(self, id: str) -> int:
        return unflag(resolve(), id)


class Prune(usage.Verb):
    def main(self) -> int:
        return prune(resolve())
