"""The internal verbs looop runs itself: a runner's stream meter and a worker's supervisor.

Their classes live here, not beside their work, so that running one imports
only the module that does it.
"""

from __future__ import annotations

import sys

from looop.commands import usage


class Fmt(usage.Verb):
    def main(self) -> int:
        from looop.records import fmt

        return fmt.run(sys.stdin, sys.stdout)


class Supervise(usage.Verb):
    def main(self, session_dir: str, lock_fd: str = "") -> int:
        from looop.fleet.supervise import main as supervise

        return supervise(session_dir, int(lock_fd) if lock_fd.isdigit() else None)
