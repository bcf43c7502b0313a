"""How the command line answers a mistake: one line, then where to read more.

Every verb is a `Verb`: a wrong switch, a missing or extra argument, or a value
of the wrong kind becomes one line naming it plus the verb's usage and
`looop help <verb>` (exit 2), never plumbum's help page or Python's text.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

from plumbum import cli
from plumbum.cli.application import ShowHelp, ShowHelpAll, ShowVersion
from plumbum.cli.switches import SwitchError

from looop.core.errors import ExitStatus, FatalError

_WRONG_TYPE = re.compile(r"Argument of (\S+) expected to be .*?, not (.*?):\n", re.S)
_UNKNOWN_SWITCH = re.compile(r"Unknown switch (\S+)")


class UsageError(FatalError):
    """A mistake in how a verb was called: exit 2."""

    def __init__(self, message: str) -> None:
        super().__init__(message, ExitStatus.BAD_INPUT)


def verb_of(app: cli.Application) -> str:
    """`kill` for the application `looop kill`, '' for `looop` itself."""
    return str(app.PROGNAME).partition(" ")[2]


DESTRUCTIVE = frozenset({"prune", "kill", "down"})  # a typo is never answered with one of these


def did_you_mean(word: str, choices: list[str], read_only: bool = False) -> str:
    """The closest choice; a destructive verb only where it is merely read about (`help kil`)."""
    import difflib

    pool = choices if read_only else [c for c in choices if c not in DESTRUCTIVE]
    close = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    return close[0] if close else ""


def public_switches(app: cli.Application) -> list[Any]:
    """The switches a user may type (not plumbum's meta switches), in name order."""
    found = {id(info): info for info in getattr(app, "_switches_by_func", {}).values()
             if info.group != "Meta-switches"}
    return sorted(found.values(), key=lambda info: info.names[-1])


def arguments(app: cli.Application) -> tuple[list[str], list[str], str | None]:
    """main()'s positional arguments: (required, optional, *rest)."""
    params = list(inspect.signature(app.main).parameters.values())
    required = [p.name for p in params if p.kind is p.POSITIONAL_OR_KEYWORD and p.default is p.empty]
    optional = [p.name for p in params if p.kind is p.POSITIONAL_OR_KEYWORD and p.default is not p.empty]
    rest = next((p.name for p in params if p.kind is p.VAR_POSITIONAL), None)
    return required, optional, rest


def synopsis(app: cli.Application) -> str:
    """`looop kill [--grace SECONDS] <id>`, built from the verb's own switches and arguments."""
    if not verb_of(app):
        return "looop [<verb> [<args>...]]"
    words = [str(app.PROGNAME)]
    for info in public_switches(app):
        name = max(info.names, key=len)
        name = ("--" if len(name) > 1 else "-") + name
        words.append(f"[{name} {info.argname}]" if info.argtype is not None else f"[{name}]")
    required, optional, rest = arguments(app)
    words += [f"<{n}>" for n in required] + [f"[<{n}>]" for n in optional]
    if rest:
        words.append(f"[<{rest}>...]")
    return " ".join(words)


def _kind(app: cli.Application, name: str) -> str:
    """What a value for switch or argument `name` must be, in words."""
    argtype: Any = None
    info = getattr(app, "_switches_by_name", {}).get(name.lstrip("-"))
    if info is not None:
        argtype = info.argtype
    else:
        try:
            argtype = inspect.signature(app.main, eval_str=True).parameters[name].annotation
        except (KeyError, NameError, SyntaxError, TypeError, ValueError):
            argtype = None
    if argtype is float:
        return "a number"
    if argtype is int:
        return "a whole number"
    values = getattr(argtype, "values", None)
    if values:
        return "one of " + ", ".join(str(v) for v in values)
    return "a valid value"


def explain(app: cli.Application, exc: SwitchError, tailargs: list[str] | None = None) -> UsageError:
    """plumbum's complaint about `app`'s command line, as one line for a human."""
    text = str(exc)
    verb = verb_of(app)
    wrong = _WRONG_TYPE.search(text + "\n")
    unknown = _UNKNOWN_SWITCH.match(text)
    required, optional, _ = arguments(app)
    if wrong:
        name = wrong.group(1)
        shown = ("--" if len(name) > 1 else "-") + name if name in getattr(app, "_switches_by_name", {}) else name
        problem = f"{shown} {wrong.group(2)}: must be {_kind(app, name)}"
    elif unknown:
        names = [("--" if len(n) > 1 else "-") + n for i in public_switches(app) for n in i.names]
        close = did_you_mean(unknown.group(1), names)
        problem = f"unknown switch {unknown.group(1)}" + (f" (did you mean {close}?)" if close else "")
    elif text.startswith("Expected at least") and tailargs is not None:
        missing = required[len(tailargs):]
        problem = "missing " + " ".join(f"<{n}>" for n in missing)
    elif text.startswith("Expected at most") and tailargs is not None:
        extra = tailargs[len(required) + len(optional):]
        problem = "unexpected argument " + " ".join(repr(a) for a in extra)
    elif text.startswith("Switch ") and text.endswith("requires an argument"):
        problem = f"{text.split()[1]} needs a value"
    else:
        problem = text.splitlines()[0].rstrip(":")
    more = f"looop help {verb}" if verb else "looop help"
    return UsageError(f"{verb + ': ' if verb else ''}{problem}\n  usage: {synopsis(app)}   (more: `{more}`)")


def _ours(exc: SwitchError) -> bool:
    """plumbum signals --help, --version and --completions as SwitchErrors too."""
    return not isinstance(exc, (ShowHelp, ShowHelpAll, ShowVersion)) and type(exc).__name__ != "ShowCompletion"


class Verb(cli.Application):
    """A looop verb: mistakes are one line; `-h` is the verb's own short help."""

    def _parse_args(self, argv: Any) -> Any:
        try:
            return super()._parse_args(argv)
        except SwitchError as exc:
            if not _ours(exc):
                raise
            raise explain(self, exc) from None

    def _validate_args(self, swfuncs: Any, tailargs: Any) -> Any:
        try:
            checked = super()._validate_args(swfuncs, tailargs)
        except SwitchError as exc:
            if not _ours(exc):
                raise
            raise explain(self, exc, list(tailargs)) from None
        from looop.core import caller

        if caller.marker() is not None:  # a looop child: some verbs are the human's, a worker is only itself
            given = {("--" if len(n) > 1 else "-") + n: (sf.val[0] if sf.val else True)
                     for f, sf in swfuncs.items() for n in self._switches_by_func[f].names}
            caller.check(verb_of(self), [str(a) for a in checked[1]], given)
        return checked

    @cli.switch(["-h", "--help"], overridable=True, group="Meta-switches", help="Prints this help and quits")
    def help(self) -> None:
        print(verb_help(self), end="")

    @cli.switch(["--help-all"], overridable=True, group="Meta-switches", help="Prints this help and quits")
    def helpall(self) -> None:
        self.help()


def verb_help(app: cli.Application) -> str:
    """One verb's help: usage, what it does, its switches."""
    lines = [f"usage: {synopsis(app)}", "", (app.__doc__ or "").strip()]
    more = getattr(app, "DESCRIPTION_MORE", None)
    if isinstance(more, str) and more:
        import textwrap

        lines += ["", *textwrap.wrap(more, 100)]
    switches = public_switches(app)
    if switches:
        lines.append("")
        for info in switches:
            names = ", ".join(("--" if len(n) > 1 else "-") + n for n in sorted(info.names, key=len, reverse=True))
            head = f"{names} {info.argname}" if info.argtype is not None else names
            lines.append(f"  {head:<24} {info.help or ''}".rstrip())
    lines += ["", "`looop help` is the whole manual."]
    return "\n".join(lines) + "\n"
