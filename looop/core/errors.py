"""The one exception for a user-facing failure, and the exit codes, named once.

Raised anywhere, caught once at the top of the CLI and printed as one clear
line: a user's mistake never shows a traceback.
"""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    """What a `looop` process's exit code means (docs/cron.md documents the same)."""

    OK = 0
    FAILED = 1  # the work failed: a beat's runner, a held lock, a worker that would not start
    BAD_INPUT = 2  # the input is wrong: the config, an argument, a knob's value
    NOT_PERMITTED = 77  # a looop child ran a human-only verb, or a worker acted as another (sysexits EX_NOPERM)
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)


class FatalError(Exception):
    """A failure the user can act on; `code` is the process exit status."""

    def __init__(self, message: str, code: int = ExitStatus.FAILED) -> None:
        super().__init__(message)
        self.code = code
