"""`looop init [--runner NAME] [--force]`: write the config from a built-in preset.

An existing config is the user's: it is never overwritten without --force
(and then the old one is kept beside it as `.bak`), unless it is the untouched
one a first run wrote. A first run without a config goes through here too:
it asks on a terminal, else takes the first installed preset and says so.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from looop.agents import presets
from looop.core.errors import ExitStatus, FatalError
from looop.core.fsio import atomic_write
from looop.core.paths import Paths


def init(paths: Paths, runner: str | None = None, force: bool = False) -> int:
    target = paths.config
    if target.exists() and not force and not generated(target):
        raise FatalError(f"config {target} already exists; not overwriting it (use `looop init --force`)", ExitStatus.FAILED)
    if runner is None:
        if _on_terminal():
            runner = _ask()
        else:
            runner = _guess()
            print(f"no terminal to ask on: picked {runner} ({_why(runner)}); "
                  "`looop init --runner NAME --force` picks another")
    if runner not in presets.PRESETS:
        raise FatalError(f"--runner {runner!r}: not a built-in preset (presets: {', '.join(presets.ORDER)})", ExitStatus.BAD_INPUT)
    kept: dict = {}
    if target.exists():
        from looop.core.fsio import keep_copy, read_json_object

        old = read_json_object(target) or {}
        runners = old.get("runners")
        kept = {k: v for k, v in runners.items() if k not in presets.PRESETS} if isinstance(runners, dict) else {}
        backup = keep_copy(target, target.with_name(target.name + ".bak"))  # every earlier one kept
        print(f"kept the old config as {backup}")
    _write(target, runner, kept)
    from looop.setup import seed

    if seed.install_examples(paths):
        print(f"example sensors (not running yet): {paths.sensors / 'examples'}; see its README.md")
    return 0


def first_run(target: Path) -> None:
    """No config yet and a verb needs one: lead the user through `looop init`."""
    if _on_terminal():
        print(f"looop has no config yet ({target}); this is `looop init`:")
        _write(target, _ask())
        print()
        return
    runner = _guess()
    data = presets.config_for(runner)
    atomic_write(target, json.dumps(data, indent=2) + "\n")
    why = _why(runner)
    print(f"looop: no config yet: wrote {target} with runner {runner} ({why}); "
          "`looop init` on a terminal picks another", file=sys.stderr, flush=True)


def generated(target: Path) -> bool:
    """The config is exactly what a first run or `init` wrote: nobody edited it."""
    from looop.core.fsio import read_json_object

    data = read_json_object(target)
    try:
        return data is not None and data == presets.config_for(str(data.get("default")))
    except FatalError:
        return False


def _why(runner: str) -> str:
    found = presets.installed()
    if runner in found:
        return "the first installed of " + ", ".join(presets.ORDER)
    return f"none of {', '.join(presets.ORDER)} is on PATH"


def _write(target: Path, runner: str, kept: dict | None = None) -> None:
    data = presets.config_for(runner)
    if kept:
        data["runners"].update(kept)
        print(f"kept your own runners: {', '.join(sorted(kept))}")
    atomic_write(target, json.dumps(data, indent=2) + "\n")
    print(f"wrote {target} (runner: {runner})")
    print(f"  tick:        {data['runners'][runner]['tick']}")
    print(f"  interactive: {data['runners'][runner]['interactive']}")
    if runner not in presets.installed():
        from looop.agents.presets import INSTALL_HINTS

        print(f"note: `{runner}` is not on PATH yet ({INSTALL_HINTS.get(runner, 'install it')})")
    print("every preset is in the file: change \"default\" to switch runners")
    from looop.setup import firstrun

    for line in firstrun.notes(runner, Path.home(), _yes if _on_terminal() else None):
        print(line)


def _on_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def _yes(question: str) -> bool:
    try:
        return input(f"{question} [y/N]: ").strip().lower() in ("y", "yes")
    except EOFError:
        print()
        return False


def _guess() -> str:
    found = presets.installed()
    return found[0] if found else "pi"


def _ask() -> str:
    found = set(presets.installed())
    default = _guess()
    print("Which agent CLI should make the loop's moves?")
    for n, name in enumerate(presets.ORDER, 1):
        mark = "installed" if name in found else "not found on PATH"
        print(f"  {n}. {name:<9} ({mark})")
    while True:
        try:
            answer = input(f"runner [{default}]: ").strip()
        except EOFError:
            print()
            raise FatalError("init: aborted (end of input); nothing was written", ExitStatus.FAILED) from None
        if not answer:
            return default
        if answer.isdigit() and 1 <= int(answer) <= len(presets.ORDER):
            return presets.ORDER[int(answer) - 1]
        if answer in presets.PRESETS:
            return answer
        print(f"  please type a number 1-{len(presets.ORDER)} or one of: {', '.join(presets.ORDER)}")
