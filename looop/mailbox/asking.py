"""A worker blocked on an ask: the cheap wait, and who is waiting right now.

The waiting `looop ask` holds a shared flock on its ask file for as long as
it waits, so "blocked" needs no bookkeeping and dies with the process (kill
-9 included): an ask whose waiter is gone reads as stranded at once.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from looop.core.errors import ExitStatus, FatalError
from looop.core.locks import lock_held, locked
from looop.core.paths import Paths
from looop.mailbox import store

POLL_MAX_S = 1.0


def is_blocked(ask_file: Path) -> bool:
    """Does a live `looop ask` wait on this file?"""
    return lock_held(ask_file) is True  # exclusive: the waiter's lock is a shared one


def blocked(paths: Paths) -> dict[str, store.Ask]:
    """Live worker id (as typed, no `looop-`) → the oldest pending ask it is blocked on.

    Only asks named after a live worker are read, so pending asks of gone
    workers cost a beat nothing but their names."""
    from looop import fleet

    pending = store.pending_ids(paths)
    if not pending:
        return {}
    live = {sid.removeprefix("looop-") for sid in fleet.live_ids(paths.fleet_root)}
    out: dict[str, store.Ask] = {}
    for rid in pending:
        if store.split(rid)[0] not in live:
            continue
        record = store.read(paths.asks / f"{rid}.json")
        if record is None or not is_blocked(paths.asks / f"{rid}.json"):
            continue
        ask = store.Ask({**record, "id": rid}, None)
        if ask.worker in live and (ask.worker not in out or ask.age_s > out[ask.worker].age_s):
            out[ask.worker] = ask
    return out


def blocked_workers(paths: Paths) -> dict[str, float]:
    """Worker id → age in seconds of the oldest ask it waits on (health: `waiting-ask`)."""
    return {w: a.age_s for w, a in blocked(paths).items()}


def waiting_line(rid: str, waited_s: float, self_cmd: str) -> str:
    """What a waiting ask says on stderr: who it waits for, and how to pick the
    answer up if a shell tool cuts this command off."""
    so_far = f" ({int(waited_s // 60)} min so far)" if waited_s >= 60 else ""
    return (f"looop: waiting for the human to answer ask {rid}{so_far}; if this command is cut off, "
            f"the ask stays pending: run  {self_cmd} ask --wait {rid}  to get the answer")


def wait_for_answer(paths: Paths, record: dict[str, Any], timeout: float | None, user_cmd: str,
                    progress: Callable[[float], None] | None = None, progress_s: float = 0) -> str:
    """Block (polling with a back-off up to 1 s) until the ask is answered,
    calling `progress(waited_s)` at once and every `progress_s` seconds (0: never)."""
    rid = record["id"]
    ask_file = paths.asks / f"{rid}.json"
    answer_file = paths.answers / f"{rid}.json"
    with ExitStack() as held:
        try:
            held.enter_context(locked(ask_file, shared=True, create=False))
        except FileNotFoundError:
            raise FatalError(f"ask {rid}: {ask_file} was deleted before an answer came", ExitStatus.FAILED) from None
        start = time.monotonic()
        deadline = None if not timeout else start + timeout
        next_note = start if progress is not None else None
        delay = 0.05
        while True:
            if os.path.lexists(answer_file):
                return _read_answer(answer_file, rid, user_cmd)
            if not os.path.lexists(ask_file):
                raise FatalError(f"ask {rid}: {ask_file} was deleted while waiting for the answer", ExitStatus.FAILED)
            if deadline is not None and time.monotonic() >= deadline:
                raise FatalError(f"ask {rid}: no answer after {timeout:g}s; it stays pending "
                                 f"(`{user_cmd} answer {rid} …` still works)", ExitStatus.TIMEOUT)
            now = time.monotonic()
            if next_note is not None and now >= next_note and progress is not None:
                progress(now - start)
                next_note = now + progress_s if progress_s > 0 else None
            pause = delay if deadline is None else max(0.0, min(delay, deadline - time.monotonic()))
            time.sleep(pause)
            delay = min(POLL_MAX_S, delay * 1.5)


def _read_answer(path: Path, rid: str, user_cmd: str) -> str:
    for attempt in range(3):  # a hand-written file may still be arriving
        record = store.read(path)
        if store.readable_answer(record):
            assert record is not None
            return str(record["answer"])
        time.sleep(0.1 * (attempt + 1))
    raise FatalError(f"ask {rid}: the answer file {path} is not a valid answer; "
                     f"the human must re-answer with `{user_cmd} answer {rid} --force …`", ExitStatus.FAILED)
