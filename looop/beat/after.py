"""After every beat that did not fail with an error: the after-hooks, in order.

Shown finished workers leave the live fleet, asks are served, the PLAYBOOK's
second gate runs, old run dirs are pruned and the attention block is shown.
A new hook is one function here and one entry in AFTER.
"""

from __future__ import annotations

from collections.abc import Callable

from looop import fleet
from looop.beat.playbook import gate_post
from looop.beat.value import Beat, Outcome, Result
from looop.records import events

Hook = Callable[[Beat, Outcome], None]


def prune_shown(b: Beat, outcome: Outcome) -> None:
    """A decided beat showed these finished workers to the AI: now they leave
    the live fleet for fleet/finished/ (not one whose verify is still to run:
    the AI has not seen its verdict)."""
    if outcome.result is not Result.DECIDED or b.focus:
        return
    from looop.core import knobs
    from looop.fleet import keep

    paths = b.paths
    keep_s = knobs.get("worker_log_keep", knobs.config_dict(paths.config))
    for sid in keep.retire(paths.fleet_root, {w.id for w in b.workers if w.settled}, keep_s):  # kept worker_log_keep
        events.emit(paths.events, "session_pruned", session=sid)


def look_again(b: Beat, outcome: Outcome) -> None:
    """A beat a gate ended moved nothing: the fleet SENSE saw stands. Past the
    gates the beat took its time (a prompt, maybe a move): the fleet is read again."""
    b.fleet_after = b.workers if b.gate else fleet.workers(b.paths.fleet_root)


def serve_asks(b: Beat, outcome: Outcome) -> None:
    from looop.mailbox import notify, store

    notify.on_beat(b.paths, b.fleet_after, store.pending_ids(b.paths))


def second_gate(b: Beat, outcome: Outcome) -> None:
    gate_post(b.paths)


def prune_runs(b: Beat, outcome: Outcome) -> None:
    from looop.core import knobs
    from looop.records import runs

    runs.prune_runs(b.paths.runs, knobs.get("runs_keep"))


def show_surface(b: Beat, outcome: Outcome) -> None:
    from looop.beat import surface

    surface.print_block(b.paths, b.fleet_after)


AFTER: tuple[Hook, ...] = (prune_shown, look_again, serve_asks, second_gate, prune_runs, show_surface)


def after(b: Beat, outcome: Outcome) -> None:
    for hook in AFTER:
        hook(b, outcome)
