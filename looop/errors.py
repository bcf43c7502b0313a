"""The one exception for a user-facing failure.

Raised anywhere, caught once at the top of the CLI and printed as one clear
line: a user's mistake never shows a traceback.
"""

from __future__ import annotations


class FatalError(Exception):
    """A failure the user can act on; `code` is the process exit status."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code
