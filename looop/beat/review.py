"""The human's verdict on a proposed PLAYBOOK change: approve or reject, journaled.

`looop playbook approve|reject` and the web inbox both come here, so each
verdict is one journal line and one commit, whoever gave it.
"""

from __future__ import annotations

from looop.beat import gate
from looop.core.errors import ExitStatus, FatalError
from looop.core.paths import Paths
from looop.records import events


def approve(paths: Paths, by: str = "human") -> str:
    """Make the proposal the live PLAYBOOK; the journal line."""
    _pending(paths)
    gate.approve(paths.playbook, paths.approved, paths.proposed, paths.playbook_history)
    events.emit(paths.events, "playbook_approved")
    return _record(paths, f"playbook approved ({by}): the proposed PLAYBOOK is live")


def reject(paths: Paths, by: str = "human") -> str:
    _pending(paths)
    gate.reject(paths.proposed)
    events.emit(paths.events, "playbook_rejected")
    return _record(paths, f"playbook rejected ({by}): the proposed change was discarded")


def _pending(paths: Paths) -> None:
    if not paths.proposed.exists():
        raise FatalError("no pending PLAYBOOK change (it was approved or rejected already)", ExitStatus.FAILED)


def _record(paths: Paths, text: str) -> str:
    from looop.moves.execute import journal
    from looop.records import memory

    line = journal(paths, text)
    memory.commit(paths.data, line.lstrip("- ").strip())
    return line
