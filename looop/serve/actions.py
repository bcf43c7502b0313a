"""What a button in the web inbox does: the same calls the CLI verbs make.

Each returns the line to show; a refusal is the verb's own FatalError (an
answer given already, a worker not running), and nothing changes.
"""

from __future__ import annotations

from looop.core.errors import ExitStatus, FatalError
from looop.core.paths import Paths
from looop.records import events

KILL_GRACE = 5.0


def answer(paths: Paths, rid: str, text: str) -> str:
    """`looop answer`: first answer wins."""
    from looop.mailbox import store

    store.answer(paths, rid, text.replace("\r\n", "\n").strip("\n"), by="web")
    events.emit(paths.events, "ask_answered", ask=rid, forced=False)
    return f"answered {rid}"


def tell(paths: Paths, worker: str, text: str) -> str:
    """`looop tell`: only a live worker is told."""
    from looop import fleet
    from looop.mailbox import store

    wid = store.worker_id(worker)
    live = [store.worker_id(w.id) for w in fleet.workers(paths.fleet_root) if w.alive]
    if wid not in live:
        raise FatalError(f"tell: worker '{wid}' is not running (live workers: {', '.join(live) or 'none'}); "
                         "nothing was queued", ExitStatus.FAILED)
    record = store.new_tell(paths, wid, text)
    events.emit(paths.events, "tell_queued", tell=record["id"], worker=wid)
    return f"told {wid} ({record['id']})"


def kill(paths: Paths, worker: str) -> str:
    """`looop kill`: TERM its group, KILL after the grace."""
    from looop.fleet import sessions
    from looop.fleet.stop import stop_session

    session = sessions.find(paths.fleet_root, worker)
    w = sessions.worker(session)
    if not w.alive:
        return f"{session.name} has already ended: {w.state}"
    events.emit(paths.events, "session_killed", session=session.id)
    state, code = stop_session(session, KILL_GRACE)
    return f"{session.name} {state}" + (f" (exit code {code})" if code is not None else "")


def attention_done(paths: Paths, nid: str) -> str:
    from looop.records import attention

    note, _line = attention.done(paths, nid, by="web")
    return f"done {note.id}"


def playbook(paths: Paths, verdict: str) -> str:
    from looop.beat import review

    if verdict == "approve":
        review.approve(paths, by="web")
        return "approved: the proposed PLAYBOOK is live"
    if verdict == "reject":
        review.reject(paths, by="web")
        return "rejected: the proposed PLAYBOOK change was discarded"
    raise FatalError(f"playbook: no verdict {verdict!r} (approve, reject)", ExitStatus.BAD_INPUT)
