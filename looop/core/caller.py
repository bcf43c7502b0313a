"""Who is calling: the human, or one of looop's own hands.

Every process looop starts (the decider, workers, run_shell, verify, sensors,
notify commands) carries a marker in its environment. From such a process the
human-only verbs refuse, and a worker acts only as itself: it cannot ask, be
told, flag or kill in another worker's name. Inside the OS box this is backed
by the box; with `sandbox: off` it is a convention the environment carries.
Protects "nothing irreversible without the human's yes".
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from looop.core.errors import ExitStatus, FatalError

CHILD = "LOOOP_CHILD"  # set to 1 in every child looop spawns (selfbin.child_env)
BOXED = "LOOOP_BOXED"  # set to 1 inside the OS box
SESSION = "LOOOP_SESSION_ID"  # set in a worker: its session id
MARKERS = (CHILD, BOXED, SESSION)

# verb -> the actions (first argument) or switches that are the human's alone; () = the whole verb
HUMAN_ONLY: dict[str, tuple[str, ...]] = {
    "answer": (),
    "playbook": ("approve", "reject", "restore", "write"),
    "init": (),
    "config": (),
    "up": (),
    "down": (),
    "service": (),
    "serve": (),
    "pause": (),
    "resume": (),  # the human's pause is the human's to lift
    "attention": ("done",),
    "prune": ("--force",),
}

# verb -> how it names the worker it acts for: a switch ("--worker") or the first argument ("")
AS_WORKER: dict[str, str] = {
    "ask": "--worker", "told": "--worker", "flag": "", "unflag": "", "kill": "", "tell": "",
}


def marker(env: Mapping[str, str] | None = None) -> str | None:
    """The first looop-child marker set in `env`, or None when the human is calling."""
    env = os.environ if env is None else env
    return next((name for name in MARKERS if env.get(name)), None)


def check(verb: str, args: Sequence[str], switches: Mapping[str, object],
          env: Mapping[str, str] | None = None) -> None:
    """Refuse (exit 77) a human-only verb, or a worker acting as another, from a looop child.

    `verb` may be nested ("schedule write"); `args` are its positional
    arguments and `switches` the switches given, by long name ("--force")."""
    env = os.environ if env is None else env
    found = marker(env)
    if found is None or not verb:
        return
    words = verb.split()
    head, rest = words[0], [*words[1:], *args]
    if head in HUMAN_ONLY:
        guarded = HUMAN_ONLY[head]
        hit = next((g for g in guarded if (g in switches if g.startswith("--") else rest[:1] == [g])), None)
        if not guarded or hit:
            named = f"looop {head}" + (f" {hit}" if hit else "")
            raise FatalError(f"only the human runs `{named}` (this process was started by looop: {found} is set)",
                             ExitStatus.NOT_PERMITTED)
    own = env.get(SESSION)
    how = AS_WORKER.get(head)
    if own and how is not None:
        given = switches.get(how) if how else (rest[0] if rest else None)
        if isinstance(given, str) and _bare(given) != _bare(own):
            from looop.core.untrusted import one_line

            raise FatalError(f"a worker acts only as itself: {one_line(_bare(own))} cannot `looop {head}` "
                             f"for {one_line(_bare(given))}", ExitStatus.NOT_PERMITTED)


def _bare(sid: str) -> str:
    return sid.removeprefix("looop-")
