"""The one exception for a user-facing failure, and the exit codes, named once.

Raised anywhere, caught once at the top of the CLI and printed as one clear
line: a user's mistake never shows a traceback. `looop help exit-codes`
prints the table below.
"""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    """What a `looop` process's exit code means (docs/cron.md documents the same)."""

    OK = 0
    FAILED = 1
    BAD_INPUT = 2
    UNEXPECTED = 3
    NOT_PERMITTED = 77
    INTERRUPTED = 130
    TERMINATED = 143
    # the same numbers, named for the verbs that give them a meaning of their own
    PULSE_DOWN = 2
    TIMEOUT = 3


MEANINGS = {
    "OK": "done: the beat decided or found the world unchanged; the verb did what it says",
    "FAILED": "the work failed: a beat's runner, a held lock, a worker that would not start, a refused change",
    "BAD_INPUT": "the input is wrong: the config, an argument, a knob's value (the line names it)",
    "PULSE_DOWN": "`looop wait`: the pulse is not running",
    "UNEXPECTED": "an unexpected error: one line, the traceback in the data dir's crash.log",
    "TIMEOUT": "`looop ask` / `looop wait --timeout`: gave up waiting (an ask stays pending)",
    "NOT_PERMITTED": "a looop child ran a human-only verb, or a worker acted as another (sysexits EX_NOPERM)",
    "INTERRUPTED": "Ctrl-C (128 + SIGINT)",
    "TERMINATED": "stopped by SIGTERM (128 + SIGTERM)",
}


def exit_table() -> list[tuple[int, str, str]]:
    """(code, its names, what it means), one row per code, in number order."""
    rows = []
    for status in ExitStatus:  # one member per value; the aliases are found by value
        names = [n for n, m in ExitStatus.__members__.items() if m is status]
        rows.append((int(status), " / ".join(names), "; ".join(MEANINGS[n] for n in names)))
    return rows


class FatalError(Exception):
    """A failure the user can act on; `code` is the process exit status."""

    def __init__(self, message: str, code: int = ExitStatus.FAILED) -> None:
        super().__init__(message)
        self.code = code
