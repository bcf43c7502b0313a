"""How the command line answers a mistake: one line, then where to read more.

Every verb is a `Verb` whose switches are declared with `flag()` and
`option()`. Before plumbum dispatches, `check()` reads the command line the
way plumbum will: a wrong switch, a missing or extra argument, or a value of
the wrong kind becomes one line naming it plus the verb's usage and
`looop help <verb>` (exit 2), never plumbum's help page or Python's text.
The same reading refuses, from a looop child, what only the human may run.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from plumbum import cli

from looop.core.errors import ExitStatus, FatalError


class UsageError(FatalError):
    """A mistake in how a verb was called: exit 2."""

    def __init__(self, message: str) -> None:
        super().__init__(message, ExitStatus.BAD_INPUT)


class Switch(NamedTuple):
    """One switch as a user types it: its names without dashes, what its value must be (None: a flag)."""

    names: tuple[str, ...]
    argtype: Callable[[str], Any] | None
    argname: str
    help: str


def dashed(name: str) -> str:
    return ("--" if len(name) > 1 else "-") + name


class _Option(cli.SwitchAttr):
    """plumbum's switch attribute, carrying its `Switch` for help, completion and `check()`."""

    def __init__(self, spec: Switch, default: Any) -> None:
        super().__init__(list(spec.names), spec.argtype, default=default, argname=spec.argname, help=spec.help)
        shown = f"{spec.help}; the default is {default}" if default and spec.argtype is not None else spec.help
        self.looop_switch = spec._replace(help=shown)


class _Flag(cli.Flag):
    def __init__(self, spec: Switch) -> None:
        super().__init__(list(spec.names), help=spec.help)
        self.looop_switch = spec


def _names(names: str | Sequence[str]) -> tuple[str, ...]:
    return tuple(n.lstrip("-") for n in ([names] if isinstance(names, str) else names))


def flag(names: str | Sequence[str], help: str) -> Any:
    """A switch that takes no value: `verbose = flag(["--verbose", "-v"], "talk more")`."""
    return _Flag(Switch(_names(names), None, "", help))


def option(names: str | Sequence[str], argtype: Callable[[str], Any] = str, default: Any = None, *,
           argname: str, help: str) -> Any:
    """A switch with a value of `argtype` (str, int, float): `grace = option("--grace", float, 5.0, ...)`."""
    return _Option(Switch(_names(names), argtype, argname, help), default)


def one_of(*values: str) -> Any:
    """An argument that must be one of `values`: `def main(self, scope: one_of("today", "all") = "today")`."""
    return cli.Set(*values)


# plumbum's own switches on every application (the user may type them; help and completion leave them out)
META = (Switch(("h", "help"), None, "", ""), Switch(("help-all",), None, "", ""),
        Switch(("v", "version"), None, "", ""), Switch(("completions",), cli.Set("bash", "fish"), "SHELL", ""))
META_NAMES = frozenset(n for s in META for n in s.names)


def switches(app: type | object) -> list[Switch]:
    """The switches a user may type on `app` (not plumbum's meta switches), in name order."""
    cls = app if isinstance(app, type) else type(app)
    found = {id(o.looop_switch): o.looop_switch for c in reversed(cls.__mro__) for o in vars(c).values()
             if isinstance(getattr(o, "looop_switch", None), Switch)}
    return sorted(found.values(), key=lambda s: s.names[-1])


def verb_of(app: cli.Application | str) -> str:
    """`kill` for the application `looop kill` (or its program name), '' for `looop` itself."""
    return str(app if isinstance(app, str) else app.PROGNAME).partition(" ")[2]


DESTRUCTIVE = frozenset({"prune", "kill", "down"})  # a typo is never answered with one of these


def did_you_mean(word: str, choices: list[str], read_only: bool = False) -> str:
    """The closest choice; a destructive verb only where it is merely read about (`help kil`)."""
    import difflib

    pool = choices if read_only else [c for c in choices if c not in DESTRUCTIVE]
    close = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    return close[0] if close else ""


def arguments(app: type | object) -> tuple[list[str], list[str], str | None]:
    """main()'s positional arguments: (required, optional, *rest)."""
    cls = app if isinstance(app, type) else type(app)
    params = list(inspect.signature(cls.main).parameters.values())[1:]  # type: ignore[attr-defined]
    required = [p.name for p in params if p.kind is p.POSITIONAL_OR_KEYWORD and p.default is p.empty]
    optional = [p.name for p in params if p.kind is p.POSITIONAL_OR_KEYWORD and p.default is not p.empty]
    rest = next((p.name for p in params if p.kind is p.VAR_POSITIONAL), None)
    return required, optional, rest


def synopsis(app: type | object, verb: str) -> str:
    """`looop kill [--grace SECONDS] <id>`, built from the verb's own switches and arguments."""
    if not verb:
        return "looop [<verb> [<args>...]]"
    words = [f"looop {verb}"]
    for spec in switches(app):
        name = dashed(max(spec.names, key=len))
        words.append(f"[{name} {spec.argname}]" if spec.argtype is not None else f"[{name}]")
    required, optional, rest = arguments(app)
    words += [f"<{n}>" for n in required] + [f"[<{n}>]" for n in optional]
    if rest:
        words.append(f"[<{rest}>...]")
    return " ".join(words)


def _kind(argtype: Any) -> str:
    """What a value of `argtype` must be, in words."""
    if argtype is float:
        return "a number"
    if argtype is int:
        return "a whole number"
    values = getattr(argtype, "values", None)
    if values:
        return "one of " + ", ".join(str(v) for v in values)
    return "a valid value"


class _Wrong(Exception):
    """One problem with a command line, in the words `check()` prints."""


def _convert(value: str, argtype: Callable[[str], Any] | None, shown: str) -> Any:
    if argtype is None:
        return value
    try:
        return argtype(value)
    except (TypeError, ValueError):
        raise _Wrong(f"{shown} {value!r}: must be {_kind(argtype)}") from None


class Parsed(NamedTuple):
    given: dict[Switch, tuple[str, Any]]  # each switch given: (as typed, its value)
    tail: list[str]  # the positional arguments
    nested: str | None  # the subcommand that takes the rest of the line


def parse(app: type, argv: Sequence[str], subcommands: Sequence[str] = ()) -> Parsed:
    """Read `argv` (after the program name) by plumbum's grammar; `_Wrong` names the first mistake."""
    by_name = {n: s for s in [*META, *switches(app)] for n in s.names}
    given: dict[Switch, tuple[str, Any]] = {}
    tail: list[str] = []
    args, nested = list(argv), None
    while args:
        word = args.pop(0)
        value: Any = True
        if word == "--":
            tail += args
            break
        if word in subcommands:
            nested = word
            break
        if word.startswith("--") and len(word) >= 3:
            name, eq, attached = word[2:].partition("=")
            typed = "--" + name
            spec = by_name.get(name)
            if spec is None:
                raise _Wrong(f"unknown switch {typed}")
            if spec.argtype is None and eq:
                raise _Wrong(f"Switch {typed} does not take an argument")
            if spec.argtype is not None:
                if eq:
                    args.insert(0, "=" + attached)
                if not args:
                    raise _Wrong(f"{typed} needs a value")
                raw = args.pop(0)
                if raw[:1] == "=":
                    if len(raw) < 2 and not args:
                        raise _Wrong(f"{typed} needs a value")
                    raw = raw[1:] if len(raw) >= 2 else args.pop(0)
                value = _convert(raw, spec.argtype, typed)
        elif word.startswith("-") and len(word) >= 2:
            name, typed = word[1], word[:2]
            spec = by_name.get(name)
            if spec is None:
                raise _Wrong(f"unknown switch {typed}")
            if spec.argtype is not None:
                if len(word) < 3 and not args:
                    raise _Wrong(f"{typed} needs a value")
                value = _convert(word[2:] if len(word) >= 3 else args.pop(0), spec.argtype, typed)
            elif len(word) >= 3:
                args.insert(0, "-" + word[2:])
        else:
            if word.startswith("-"):
                raise _Wrong(f"unknown switch {word}")
            tail.append(word)
            continue
        if spec in given:
            first = given[spec][0]
            raise _Wrong(f"Switch {typed} already given" if first == typed
                         else f"Switch {first} already given ({typed} is equivalent)")
        given[spec] = (typed, value)
    return Parsed(given, tail, nested)


def _positional(app: type, tail: list[str]) -> list[Any]:
    """The positional arguments checked for count and converted by main()'s annotations, as plumbum will."""
    required, optional, rest = arguments(app)
    if len(tail) < len(required):
        raise _Wrong("missing " + " ".join(f"<{n}>" for n in required[len(tail):]))
    if rest is None and len(tail) > len(required) + len(optional):
        raise _Wrong("unexpected argument " + " ".join(repr(a) for a in tail[len(required) + len(optional):]))
    hints = typing.get_type_hints(app.main)  # type: ignore[attr-defined]
    names = required + optional
    return [_convert(a, hints.get(names[i] if i < len(names) else rest or ""), names[i] if i < len(names)
                     else rest or "") for i, a in enumerate(tail)]


def check(app: type, argv: Sequence[str], subcommands: Sequence[str] = ()) -> None:
    """Raise a one-line `UsageError` for a command line plumbum would refuse; refuse (exit 77)
    from a looop child what only the human may run. `argv[0]` is the program name ("looop kill")."""
    verb = verb_of(argv[0]) if argv else ""
    try:
        parsed = parse(app, argv[1:], subcommands)
        if any(spec in META for spec in parsed.given):
            return  # --help and --version answer whatever else the line says
        values = _positional(app, parsed.tail)
    except _Wrong as wrong:
        problem = str(wrong)
        if problem.startswith("unknown switch "):
            close = did_you_mean(problem.split()[-1], [dashed(n) for s in switches(app) for n in s.names])
            problem += f" (did you mean {close}?)" if close else ""
        more = f"looop help {verb}" if verb else "looop help"
        raise UsageError(f"{verb + ': ' if verb else ''}{problem}\n"
                         f"  usage: {synopsis(app, verb)}   (more: `{more}`)") from None
    from looop.core import caller

    if caller.marker() is not None:  # a looop child: some verbs are the human's, a worker is only itself
        given = {dashed(n): value for spec, (_, value) in parsed.given.items() for n in spec.names}
        caller.check(verb, [str(a) for a in values], given)


class Verb(cli.Application):
    """A looop verb: mistakes are one line; `-h` is the verb's own short help."""

    @classmethod
    def run(cls, argv: Any = None, *, exit: bool = True) -> Any:
        if argv:
            from looop.commands import table as verbs

            verb = verb_of(str(argv[0]))
            names = [e.name.partition(" ")[2] for e in verbs.actions(verb)] if verb else \
                [e.name for e in verbs.TABLE if " " not in e.name]
            check(cls, [str(a) for a in argv], names)
        return super().run(argv, exit=exit)  # type: ignore[call-overload]

    @cli.switch(["-h", "--help"], overridable=True, group="Meta-switches", help="Prints this help and quits")
    def help(self) -> None:
        print(verb_help(self), end="")

    @cli.switch(["--help-all"], overridable=True, group="Meta-switches", help="Prints this help and quits")
    def helpall(self) -> None:
        self.help()


def verb_help(app: cli.Application) -> str:
    """One verb's help: usage, what it does, its switches."""
    from looop.commands import table as verbs

    verb = verb_of(app)
    row = verbs.entry(verb)
    lines = [f"usage: {synopsis(app, verb)}", "", row.summary if row else ""]
    more = getattr(app, "DESCRIPTION_MORE", None)
    if isinstance(more, str) and more:
        import textwrap

        lines += ["", *textwrap.wrap(more, 100)]
    specs = switches(app)
    if specs:
        lines.append("")
        for spec in specs:
            names = ", ".join(dashed(n) for n in sorted(spec.names, key=len, reverse=True))
            head = f"{names} {spec.argname}" if spec.argtype is not None else names
            lines.append(f"  {head:<24} {spec.help}".rstrip())
    lines += ["", "`looop help` is the whole manual."]
    return "\n".join(lines) + "\n"


def no_more(usage: str, *extra: str) -> None:
    """`looop goal list x`: one line naming what was not expected."""
    if any(extra):
        raise FatalError(f"usage: looop {usage} (unexpected: {' '.join(extra)[:60]})", ExitStatus.BAD_INPUT)
