"""`looop completions bash|zsh`: tab completion, answered by looop itself.

The shell script is thin: on every TAB it runs `looop _complete -- <words so
far>` (the same looop the user typed), so verbs, switches, goal ids, worker ids
and pending ask ids are always the live ones of the profile in LOOOP_DATA_DIR. Completing
only reads files: it never seeds a data dir nor starts anything.
"""

from __future__ import annotations

import sys
import typing
from collections.abc import Callable, Iterable

from looop.commands import table as verbs
from looop.commands import usage
from looop.core.errors import ExitStatus, FatalError
from looop.core.paths import Paths, resolve

SHELLS = ("bash", "zsh")

_BASH = r"""# looop completion for bash. Load it with:  eval "$(looop completions bash)"
_looop_complete() {
    local looop=${COMP_WORDS[0]/#\~/$HOME} cur=${COMP_WORDS[COMP_CWORD]} words
    words=$("$looop" _complete -- "${COMP_WORDS[@]:1:COMP_CWORD-1}" 2>/dev/null </dev/null) || return 0
    local IFS=$'\n'
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _looop_complete looop
"""

_ZSH = r"""#compdef looop
# looop completion for zsh. Load it with:  eval "$(looop completions zsh)"  (after compinit)
_looop() {
    local looop=${words[1]/#\~/$HOME}
    local -a candidates
    candidates=(${(f)"$("$looop" _complete -- "${(@)words[2,CURRENT-1]}" 2>/dev/null </dev/null)"})
    compadd -- "${candidates[@]}"
}
if [[ "${funcstack[1]}" = "_looop" ]]; then
    _looop "$@"
else
    compdef _looop looop
fi
"""


def completions(shell: str) -> int:
    """Print the completion script for `shell`."""
    scripts = {"bash": _BASH, "zsh": _ZSH}
    if shell not in scripts:
        raise FatalError(f"no completion for shell {shell!r}; choose one of: {', '.join(SHELLS)}", ExitStatus.FAILED)
    sys.stdout.write(scripts[shell])
    return 0


def goal_ids(paths: Paths) -> list[str]:
    """Goals `looop run` accepts: active ones first, then archived ones."""
    active = sorted(p.stem for p in paths.goals.glob("*.md"))
    archived = sorted(p.stem for p in paths.archive.glob("*.md") if p.stem not in active)
    return active + archived


def worker_ids(paths: Paths) -> list[str]:
    from looop import fleet

    return sorted(w.name for w in fleet.workers(paths.fleet_root))


def schedule_names(paths: Paths) -> list[str]:
    try:
        return sorted(p.stem for p in paths.schedules.glob("*.json"))
    except OSError:
        return []


def pending_ask_ids(paths: Paths) -> list[str]:
    from looop.mailbox.store import pending_ids

    return pending_ids(paths)


def live_worker_ids(paths: Paths) -> list[str]:
    """Workers `looop tell` can reach, as the user typed them."""
    from looop import fleet

    return sorted(w.id.removeprefix("looop-") for w in fleet.workers(paths.fleet_root) if w.alive)


ARGUMENTS: dict[str, Callable[[Paths], list[str]]] = {
    "run": goal_ids,
    **{verb: worker_ids for verb in ("attach", "kill", "flag", "unflag", "watch", "screenshot")},
    "answer": pending_ask_ids,
    "tell": live_worker_ids,
}
# `looop <verb> <action> <name>`: what may follow the action
ACTION_ARGUMENTS: dict[tuple[str, str], Callable[[Paths], list[str]]] = {
    ("schedule", "rm"): schedule_names,
    ("schedule", "write"): schedule_names,
}


def choices(verb: str) -> list[str]:
    """The fixed words `verb`'s first argument may be: its actions in the verb table, or the values
    its first argument is declared with (`cost today|all`)."""
    if verb == "completions":
        return list(SHELLS)
    if verbs.entry(verb) is None:
        return []
    named = [row.name.partition(" ")[2] for row in verbs.actions(verb)]
    required, optional, _ = usage.arguments(cls := verbs.load(verb))
    first = (required + optional)[:1]
    hint = typing.get_type_hints(cls.main).get(first[0]) if first else None
    return named + [str(v) for v in getattr(hint, "values", ())]


def switches_of(verb: str) -> list[str]:
    """The long switches of `verb` ("kill", "schedule write"), from its class; [] for no such verb."""
    if verbs.entry(verb) is None:
        return []
    return sorted(f"--{n}" for spec in usage.switches(verbs.load(verb)) for n in spec.names if len(n) > 1)


def candidates(paths: Paths, words: list[str], verbs: Iterable[str],
               switches: Callable[[str], list[str]]) -> list[str]:
    """What may come after `looop <words...>`."""
    if not words:
        return list(verbs)
    verb, position = words[0], len(words)
    if verb == "init" and words[-1] in ("--runner", "-r"):
        from looop.agents.presets import ORDER

        return list(ORDER)
    found: list[str] = []
    if position == 1:
        if verb in ARGUMENTS:
            found += ARGUMENTS[verb](paths)
        found += choices(verb)
    elif position == 2 and (verb, words[1]) in ACTION_ARGUMENTS:
        return ACTION_ARGUMENTS[(verb, words[1])](paths) + switches(f"{verb} {words[1]}")
    elif position == 2 and verb == "goal":
        found += goal_ids(paths) if words[1] == "archive" else []
    elif position == 2 and verb == "sensor":
        found += sorted(p.stem for p in paths.sensors.glob("*.sh"))
    return found + switches(verb)


def complete(paths: Paths, words: list[str], verbs: Iterable[str], switches: Callable[[str], list[str]]) -> int:
    """`looop _complete <words>`: one candidate per line; silent on any failure."""
    try:
        found = candidates(paths, words, verbs, switches)
    except Exception:  # a broken data dir must not make TAB print a traceback
        return 0
    sys.stdout.write("".join(f"{word}\n" for word in found))
    return 0


class Completions(usage.Verb):
    def main(self, shell: str) -> int:
        return completions(shell)


class Complete(usage.Verb):
    def main(self, *words: str) -> int:
        return complete(resolve(), list(words), verbs.VERBS, switches_of)
