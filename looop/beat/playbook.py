"""The PLAYBOOK gate around each beat, and reading the PLAYBOOK for the prompt.

Before the beat a hand edit is adopted as the baseline, and one made while a
worker ran is parked; after it, the runner's own edit is parked too. Nothing
but the human changes the approved PLAYBOOK (§ the gate).
"""

from __future__ import annotations

from pathlib import Path

from looop import fleet
from looop.beat import gate, parked
from looop.core.errors import ExitStatus, FatalError
from looop.core.fsio import atomic_write, read_text
from looop.core.log import say, warn
from looop.core.paths import Paths
from looop.records import events


def gate_pre(paths: Paths) -> None:
    legacy = paths.legacy_approved
    if legacy.is_file() and not paths.approved.exists():  # an older looop's baseline moves out of reach
        atomic_write(paths.approved, legacy.read_bytes())
    legacy.unlink(missing_ok=True)  # from now on a copy there means nothing

    def who_else() -> str:
        if gate.exact(paths.config):  # the box: no runner or worker can have written it (§19)
            return ""
        if gate.runner_in_flight(paths.runners_in_flight):
            return "runner"
        since = gate.last_checked(paths.gate_dir)
        busy = [w for w in fleet.workers(paths.fleet_root)
                if w.alive or (w.ended_at is not None and (since is None or w.ended_at >= since))]
        return "worker" if busy else ""

    try:
        done = gate.gate_pre(paths.playbook, paths.approved, paths.playbook_history, proposed=paths.proposed,
                             busy=who_else)
    except IsADirectoryError:
        raise FatalError(f"{paths.playbook} is a directory, not a file; nothing was changed", ExitStatus.FAILED) from None
    except OSError as exc:
        if exc.filename and Path(exc.filename) == paths.playbook:
            raise FatalError(f"cannot read {paths.playbook}: {exc.strerror}; nothing was changed", ExitStatus.FAILED) from None
        raise
    if done == "adopted":
        say("PLAYBOOK.md was edited by hand: adopted as the approved baseline")
        events.emit(paths.events, "playbook_adopted")
    elif done == "parked":
        warn("PLAYBOOK.md changed while a worker was running: parked in PLAYBOOK.proposed.md, baseline restored "
             "(if it was you: looop playbook approve)")
        events.emit(paths.events, "proposal_parked")
        parked.note(paths, "worker")
    if done != "in-flight":
        gate.mark_checked(paths.gate_dir)


def gate_post(paths: Paths) -> None:
    """After the beat: an edit by this beat's runner is parked; from now on
    this process's runner can no longer edit unseen."""
    if gate.gate_post(paths.playbook, paths.approved, paths.proposed, lambda: gate.exact(paths.config)):
        warn("the AI edited PLAYBOOK.md: change parked in PLAYBOOK.proposed.md, baseline restored")
        events.emit(paths.events, "proposal_parked")
        parked.note(paths, "runner")
    gate.mark_checked(paths.gate_dir)
    gate.runner_done(paths.runners_in_flight)


def read_playbook(paths: Paths, limit: int | None) -> str:
    try:
        text = read_text(paths.playbook, "", limit) or ""
    except OSError as exc:
        raise FatalError(f"cannot read {paths.playbook}: {exc.strerror}", ExitStatus.FAILED) from None
    if not text.strip():
        warn("PLAYBOOK.md is empty: the AI gets no judgment to follow (edit it, or delete it to re-seed)")
    return text
