"""Dialogs that stop a detached worker: what each agent CLI's screen shows when
it waits for a keypress nobody will give, and the one thing that clears it.

A worker whose screen stands still on one of these is `blocked: <dialog>` in
`ls`, `status` and `watch` (and the human is told once); `looop doctor` names
the same dialogs when it tries each preset's worker command.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from looop.fleet.model import Worker

SCREEN_BYTES = 64 << 10  # enough of the log's tail to redraw a dialog


@dataclasses.dataclass(frozen=True)
class Dialog:
    name: str  # shown as `blocked: <name>`
    pattern: re.Pattern[str]
    fix: str  # what the human does once


DIALOGS = (
    Dialog("first-run setup", re.compile(r"Choose the text style|Unable to connect to Anthropic services"),
           "run `claude` once in a terminal and finish its first-run setup (or `looop init` and agree)"),
    Dialog("sign-in", re.compile(r"Sign in with ChatGPT|like to authenticate|Use Gemini API Key|Select login method"
                                 r"|Please run /login"),
           "sign the CLI in once in a terminal (codex: `codex login`; gemini: pick your auth in `gemini`)"),
    Dialog("API key approval", re.compile(r"Do you want to use this API key\?"),
           "run `claude` once in a terminal and answer Yes to using the API key from your environment"),
    Dialog("folder trust", re.compile(r"Do you trust the files in this folder\?|Trust this folder\?"
                                      r"|Do you trust the contents of this directory"),
           "use the preset's worker command (it trusts the data dir), or trust the folder once in the CLI"),
    Dialog("bypass-mode warning", re.compile(r"Bypass Permissions mode"),
           'pass --settings \'{"skipDangerousModePermissionPrompt":true}\' (the claude preset does)'),
    Dialog("root refused", re.compile(r"cannot be used with root/sudo privileges"),
           "set IS_SANDBOX=1 in the worker command (the claude preset does), or run looop as a user"),
    Dialog("permission prompt", re.compile(r"Do you want to proceed\?|Would you like to run the following command"
                                           r"|Allow this command\?"),
           "give the CLI its skip-permissions flag in the worker command (every preset has one)"),
)


def find(text: str) -> Dialog | None:
    """The first known dialog on this screen text."""
    return next((d for d in DIALOGS if d.pattern.search(text)), None)


def on_screen(session_dir: Path) -> Dialog | None:
    """The known dialog a session's terminal shows now, if any (its log replayed)."""
    from looop.fleet import logtail, screen, sessions

    session = sessions.Session(session_dir)
    cols, rows = sessions.size_of(session)
    term = screen.Terminal(cols, rows, scrollback=0)
    term.feed(logtail.tail(session.log, session.log_old, SCREEN_BYTES))
    return find("\n".join(screen.text_lines(term.screen_rows(), cols)))


def mark_blocked(workers: list[Worker], fleet_root: Path) -> list[Worker]:
    """Live workers standing still on a known dialog get health `blocked: <dialog>`.

    Only a worker quiet for LOOOP_WORKER_STILL (and not waiting on an ask or
    flagged) has its screen replayed, so a busy fleet costs nothing here."""
    from looop.core import knobs
    from looop.core.errors import FatalError
    from looop.fleet import sessions

    try:
        still = knobs.get("worker_still")
    except FatalError:  # reported once at start (knobs.check_env): `ls` and `status` still answer
        still = knobs.KNOBS["worker_still"].default

    out = []
    for w in workers:
        if w.alive and w.health in ("busy", "stuck") and w.idle_s is not None and w.idle_s >= still:
            found = on_screen(sessions.sessions_dir(fleet_root) / w.id)
            if found is not None:
                w = dataclasses.replace(w, health=f"blocked: {found.name}")
        out.append(w)
    return out
