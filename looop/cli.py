"""The `looop` command: the verb table wired into plumbum, and the one entry point.

Each verb is a row of `looop.commands.table.TABLE`; its class, next to its work in
`looop/commands/`, is registered by name and imported only when that verb
runs, so `looop version` costs the CLI framework and nothing else. User
mistakes end as one line, never a traceback.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import TYPE_CHECKING

from plumbum import cli

from looop import __version__
from looop.commands import table as verbs
from looop.commands.usage import Verb, flag
from looop.core.errors import ExitStatus

if TYPE_CHECKING:
    from pathlib import Path

VERBS = verbs.VERBS


class Looop(Verb):
    """A tiny, Kubernetes-shaped control loop for your work."""

    PROGNAME = "looop"
    VERSION = __version__
    DESCRIPTION = ("Once per beat: run your sensors, and only when the world changed ask an LLM "
                   "for exactly ONE move. `looop` alone runs the pulse; `looop help` is the manual.")
    SUBCOMMAND_HELPMSG = False

    quiet = flag(["--quiet", "-q"], help="print nothing for a beat that found the world unchanged")

    @cli.switch(["-h", "--help"], overridable=True, group="Meta-switches", help="Prints this help and quits")
    def help(self) -> None:
        from looop.commands.help import overview

        print(overview(self.DESCRIPTION), end="")

    def main(self, *args: str) -> int:
        if self.nested_command:
            return ExitStatus.OK
        if args:
            from looop.commands.usage import UsageError, did_you_mean

            close = did_you_mean(args[0], list(VERBS))
            hint = f"did you mean `looop {close}`? " if close else ""
            raise UsageError(f"unknown verb '{args[0]}'; {hint}verbs: {', '.join(VERBS)} (see `looop help`)")
        from looop.beat import pulse
        from looop.core.paths import resolve

        return pulse.run(resolve(), quiet=self.quiet)


for _row in verbs.TABLE:
    if " " not in _row.name:  # a verb's actions are registered by the verb's own class
        Looop.subcommand(_row.name, _row.target)


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(ExitStatus.TERMINATED)  # installed for SIGTERM only


# verbs whose text may come on stdin as a lone `-` (which plumbum would read as a switch)
_STDIN_VERBS = ("goal", "sensor", "playbook", "shell", "answer")


def _stdin_dash(argv: list[str]) -> list[str]:
    """`looop goal write g - --journal X` → `looop goal write g --journal X -- -`."""
    if argv and argv[0] in _STDIN_VERBS and "-" in argv[1:]:
        cut = argv.index("--") if "--" in argv else len(argv)
        if "-" in argv[1:cut]:
            return [a for a in argv[:cut] if a != "-"] + ["--", "-"] + argv[cut + 1:]
    return argv


def main(argv: list[str] | None = None) -> int:
    from looop.core.error_handler import error_handler
    from looop.core.untrusted import argument, guard_streams

    guard_streams()
    argv = _stdin_dash([argument(a) for a in (sys.argv[1:] if argv is None else argv)])
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _terminate)
    try:
        with error_handler(_crash_log, _stderr):
            if argv[:1] not in (["help"], ["version"], ["-h"], ["--help"], ["-v"], ["--version"]):
                from looop.core import knobs

                knobs.check_env()  # a bad knob is one line naming it, before any verb runs
            if argv and "LOOOP_DOOR" in os.environ:  # inside a box: changes go out through the door (§19)
                from looop.box import door

                if door.through(argv):
                    return door.forward(argv)
            _, code = Looop.run(["looop", *argv], exit=False)
            sys.stdout.flush()
            return int(code or ExitStatus.OK)
    except SystemExit as exc:
        return int(exc.code) if isinstance(exc.code, int) else ExitStatus.FAILED


def _stderr(text: str) -> None:
    try:
        print(text, file=sys.stderr, flush=True)
    except OSError:
        pass


def _crash_log() -> Path:
    from looop.core.paths import resolve

    return resolve().crash_log
