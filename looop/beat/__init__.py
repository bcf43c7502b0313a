"""One beat, top to bottom: prepare → sense → diff → gates → decide → act → record → after.

A beat is disposable and level-triggered: it carries nothing in memory,
re-derives everything from files, makes at most ONE move (one runner call),
and saves the world hash only when the move succeeded, so a failed or killed
beat is simply retried by the next one. Each stage is a function over one
`Beat` value; the first that returns an `Outcome` ends the beat.

The package itself imports nothing: `status`, `today` and the web inbox read
`beat.snapshot` and friends without paying for the pipeline. `beat`, `STAGES`,
`Beat`, `Outcome`, `Result` and `reap_orphan_runner` load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from looop.beat.housekeeping import reap_orphan_runner
    from looop.beat.pipeline import STAGES, beat
    from looop.beat.value import Beat, Outcome, Result

__all__ = ["STAGES", "Beat", "Outcome", "Result", "beat", "reap_orphan_runner"]

_HOME = {"beat": "pipeline", "STAGES": "pipeline", "Beat": "value", "Outcome": "value", "Result": "value",
         "reap_orphan_runner": "housekeeping"}


def __getattr__(name: str) -> Any:
    """The pipeline's names, imported when first asked for."""
    if name not in _HOME:
        raise AttributeError(f"module 'looop.beat' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f"looop.beat.{_HOME[name]}"), name)
