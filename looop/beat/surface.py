"""Surfacing: what needs the human, printed after every beat and manual run.

Nothing irreversible happens automatically, so the loop must make waiting
visible: a parked PLAYBOOK proposal, the AI's attention notes, and every
flagged worker with the exact command to attach to it, and, when a tmux
server runs, one window already attached per new flag (`.tmux-surfaced`
remembers which flags popped: each pops once, and a re-flag pops again).
"""

from __future__ import annotations

import os
import shutil
from typing import TYPE_CHECKING, Iterable

from looop.core.color import paint
from looop.core.fsio import atomic_write, read_text
from looop.core.paths import Paths
from looop.core.untrusted import one_line
from looop.fleet import Worker
from looop.records import events

if TYPE_CHECKING:
    from looop.core import cmd as short

FAILURES_SHOWN = 3  # failed beats in a row before NEEDS YOU says so
REPEAT_EVERY = 3600.0  # an unchanged NEEDS YOU is shown again after this many seconds
_shown: dict[str, tuple[int, float]] = {}  # data dir -> (what was shown, when): one process, e.g. the pulse


def needs(paths: Paths, workers: list[Worker]) -> list[str]:
    from looop.core.selfbin import user_command

    lines: list[str] = []
    cmd = None
    if paths.proposed.exists():
        cmd = cmd or user_command(paths)
        lines.append(f"PLAYBOOK change proposed: review `{cmd} playbook diff`, "
                     f"then `{cmd} playbook approve` or `{cmd} playbook reject`")
    lines += guard_lines(paths)
    for w in workers:
        if w.flagged and w.alive:
            cmd = cmd or user_command(paths)
            lines.append(f"⚑ {w.name}: {w.note or '(no note)'} — attach: {cmd} attach {w.name}")
    from looop.mailbox import view

    lines += view.needs_lines(paths)  # pending asks (after flags, before attention), failing notifications
    lines += attention_lines(paths)
    return lines


def attention_lines(paths: Paths) -> list[str]:
    """The AI's notes, each with the command that clears it (each was notified once)."""
    from looop.core.selfbin import user_command
    from looop.records import attention

    found = attention.notes(paths)
    cmd = user_command(paths) if found else ""
    return [f"attention: {n.text} (done: {cmd} attention done {n.id})" for n in found]


def guard_lines(paths: Paths) -> list[str]:
    """A spend cap holding the loop back; beats failing again and again."""
    out = []
    if paths.budget_state.exists():
        from looop.records import budget

        held = budget.noted(paths.budget_state)
        if held:
            out.append(held)
    if paths.last_failure.exists():
        from looop.records import failures as failure

        failed = failure.load(paths.last_failure) or {}
        streak = failed.get("failures_in_row")
        if isinstance(streak, int) and streak >= FAILURES_SHOWN:
            out.append(f"{streak} beats in a row failed ({failed.get('why')}): "
                       f"see {paths.runs / str(failed.get('run')) / 'output.log'}")
    return out


def print_block(paths: Paths, workers: list[Worker]) -> list[str]:
    lines = needs(paths, workers)
    if lines and _news(str(paths.data), lines):
        _print(paths, lines)
    if any(w.flagged for w in workers) or paths.tmux_surfaced.exists():
        from looop.fleet.sessions import bare_id

        for sid in surface_in_tmux(paths, workers):
            print(f"  (opened a tmux window attached to {one_line(bare_id(sid))})", flush=True)
    return lines


def _news(key: str, lines: list[str]) -> bool:
    """Whether to print NEEDS YOU: it changed since this process last showed it, or an hour passed."""
    import time

    now, what = time.monotonic(), hash(tuple(lines))
    last = _shown.get(key)
    if last is not None and last[0] == what and now - last[1] < REPEAT_EVERY:
        return False
    _shown[key] = (what, now)
    return True


def _print(paths: Paths, lines: list[str]) -> None:
    print(paint("── NEEDS YOU " + "─" * 40, "bold", "yellow"), flush=True)
    for line in lines:
        print(f"  {one_line(line)}", flush=True)
    print(paint("─" * 53, "yellow"), flush=True)
    events.emit(paths.events, "needs_you", items=len(lines))


# -- the tmux half: one window per newly flagged worker ------------------------

def tmux_enabled() -> bool:
    from looop.core import knobs

    return bool(knobs.get("tmux_surface"))


def _tmux(*args: str) -> short.Result:
    from looop.core import cmd as short

    return short.run(["tmux", *args], timeout=5)


def server_running() -> bool:
    done = _tmux("list-sessions")
    return done.ok and bool(done.out.strip())


def flag_key(w: Worker) -> str:
    """One flag: the worker and when it was raised (so a re-flag is a new key)."""
    return f"{w.id}\t{w.flagged_at or ''}"


def attach_prefix(paths: Paths) -> str:
    """`looop` as the tmux server's shell must run it: absolute, with this profile spelled out."""
    import shlex

    from looop.core.selfbin import looop_bin

    words = [f"LOOOP_DATA_DIR={shlex.quote(str(paths.data))}"]
    if os.environ.get("LOOOP_FLEET_DIR"):
        words.append(f"LOOOP_FLEET_DIR={shlex.quote(str(paths.fleet_root))}")
    return " ".join([*words, shlex.quote(looop_bin(paths))])


def surface_in_tmux(paths: Paths, workers: Iterable[Worker]) -> list[str]:
    """Open a window per flag not surfaced yet; return the ids that popped."""
    if not tmux_enabled():
        return []
    flagged = {flag_key(w): w for w in workers if w.alive and w.flagged}
    before = set((read_text(paths.tmux_surfaced, "") or "").splitlines()) - {""}
    remembered = before & flagged.keys()  # flags that ended are forgotten
    popped: list[str] = []
    fresh = [k for k in flagged if k not in before]
    if fresh and shutil.which("tmux") and server_running():
        prefix = attach_prefix(paths)
        for key in fresh:
            w = flagged[key]
            done = _tmux("new-window", "-d", "-n", f"⚑ {w.name}", f"{prefix} attach {w.name}")
            if done.ok:
                remembered.add(key)
                popped.append(w.id)
                events.emit(paths.events, "surfaced", session=w.id, via="tmux")
    if remembered != before:
        if remembered:
            atomic_write(paths.tmux_surfaced, "".join(f"{k}\n" for k in sorted(remembered)))
        else:
            paths.tmux_surfaced.unlink(missing_ok=True)
    return popped
